package raft.storage.wal;

import java.io.IOException;

/**
 * The WAL cannot be trusted: a record before the tail fails its checksum, a segment is missing
 * or cut short, or the records contradict each other. Recovery refuses to guess, because
 * guessing could silently drop entries this member already acknowledged as durable.
 */
public final class WalCorruptException extends IOException {

  static final String WHAT_TO_DO = "Do not edit the WAL by hand: restore this member from a "
      + "snapshot of a healthy member, or remove it from the cluster and re-add it with an empty "
      + "data directory.";

  private final String file;
  private final long offset;

  WalCorruptException(String file, long offset, String problem) {
    super("WAL corrupt in " + file + (offset >= 0 ? " at byte offset " + offset : "") + ": "
        + problem + ". " + WHAT_TO_DO);
    this.file = file;
    this.offset = offset;
  }

  /** The file at fault (or the first file after a gap). */
  public String file() {
    return file;
  }

  /** Byte offset of the problem in {@link #file()}, or -1 when it is about the whole file. */
  public long offset() {
    return offset;
  }
}
