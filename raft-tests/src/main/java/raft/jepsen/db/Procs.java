package raft.jepsen.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Process helpers: run a command with a bound, signal a pid. */
final class Procs {
  private Procs() {}

  record Result(int exit, String out) {}

  /** Runs {@code cmd}, merging stderr into stdout; kills it past {@code timeoutSeconds}. */
  static Result run(List<String> cmd, long timeoutSeconds) throws IOException,
      InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[][] out = new byte[1][];
    Thread reader = new Thread(() -> {
      try {
        out[0] = p.getInputStream().readAllBytes();
      } catch (IOException e) {
        out[0] = new byte[0];
      }
    });
    reader.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      reader.join(5000);
      throw new IOException(cmd + " did not finish in " + timeoutSeconds + " s");
    }
    reader.join(5000);
    return new Result(p.exitValue(), new String(out[0] == null ? new byte[0] : out[0],
        StandardCharsets.UTF_8));
  }

  static void signal(long pid, String sig) throws IOException, InterruptedException {
    Result r = run(List.of("kill", "-" + sig, Long.toString(pid)), 10);
    if (r.exit() != 0) {
      throw new IOException("kill -" + sig + " " + pid + ": " + r.out().trim());
    }
  }

  /** The pid in a pid file, if the file exists and its process is alive. */
  static long livePid(Path pidFile) {
    try {
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent() ? pid : 0;
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  /** SIGKILL and wait (bounded) until the process is gone, so its ports are free. */
  static void killAndWait(long pid) throws InterruptedException {
    ProcessHandle.of(pid).ifPresent(p -> {
      p.destroyForcibly();
      try {
        p.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // reported by the restart that follows, if the port is still taken
      }
    });
  }
}
