package raft.kv.bbolt;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A bbolt file that is not what the format allows: bad magic or version, both metas' checksums
 * wrong, a page id outside the file, an element past its page, keys out of order, a nested
 * bucket. The message names the file and, where one is involved, the page.
 */
public final class BoltFormatException extends IOException {

  private static final long serialVersionUID = 1L;

  /** A problem with the file as a whole (its length, both metas). */
  public BoltFormatException(Path file, String problem) {
    super("bbolt file " + file + ": " + problem);
  }

  /** A problem on page {@code pgid} of {@code file}. */
  public BoltFormatException(Path file, long pgid, String problem) {
    super("bbolt file " + file + ": page " + pgid + ": " + problem);
  }
}
