package raft.storage.snap;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The newest snapshot file cannot be trusted. The node refuses to start rather than fall back
 * to an older snapshot, whose missing entries the WAL may already have released.
 */
public final class SnapshotCorruptException extends IOException {

  static final String WHAT_TO_DO = "The node refuses to start. Restore this file from a backup, "
      + "or remove this member's data directory and add it back to the cluster empty, so that "
      + "the leader sends it a fresh snapshot.";

  private final Path file;

  SnapshotCorruptException(Path file, String problem) {
    super("snapshot file " + file + " " + problem + ". " + WHAT_TO_DO);
    this.file = file;
  }

  /** The file at fault. */
  public Path file() {
    return file;
  }
}
