package raft.purityfixture;

import java.nio.file.Path;

/** Test-only: what PurityTest must reject, naming a file. Never executed. */
public final class FileToucher {
  private FileToucher() {}

  public static Path where() {
    return Path.of("/tmp/raft");
  }
}
