package raft.kv.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Certificates for tests, made by scripts/tls-certs (openssl) into a test's directory. */
public final class TestCerts {
  private TestCerts() {
  }

  /** The repository's root, from a module's working directory. */
  public static final Path REPO = Path.of("..").toAbsolutePath().normalize();

  /** scripts/tls-certs DIR --nodes N; returns DIR. */
  public static Path make(Path dir, int nodes) throws IOException, InterruptedException {
    return run(REPO.resolve("scripts/tls-certs").toString(), dir.toString(), "--nodes",
        String.valueOf(nodes)) == 0 ? dir : fail(dir);
  }

  private static Path fail(Path dir) {
    throw new AssertionError("scripts/tls-certs " + dir + " failed");
  }

  /** Runs a command (openssl, say), bounded; returns its exit status; output to stderr. */
  public static int run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(new ArrayList<>(List.of(cmd))).redirectErrorStream(true)
        .start();
    p.getOutputStream().close();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", cmd) + " did not finish in 60 s");
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!out.isEmpty()) {
      System.err.print(out);
    }
    return p.exitValue();
  }
}
