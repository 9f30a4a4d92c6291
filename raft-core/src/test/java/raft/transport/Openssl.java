package raft.transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs openssl and scripts/tls-certs for TLS tests (bounded; fails with their output). */
final class Openssl {
  private Openssl() {
  }

  static final Path REPO = Path.of("..").toAbsolutePath().normalize();

  /** scripts/tls-certs DIR --nodes N; returns DIR. */
  static Path certs(Path dir, int nodes) throws IOException, InterruptedException {
    run(REPO.resolve("scripts/tls-certs").toString(), dir.toString(), "--nodes",
        String.valueOf(nodes));
    return dir;
  }

  static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
    p.getOutputStream().close();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", cmd) + " did not finish in 60 s");
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
    }
  }
}
