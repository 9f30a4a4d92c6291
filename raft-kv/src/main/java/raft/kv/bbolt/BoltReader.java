package raft.kv.bbolt;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a bbolt file written by real bbolt (etcd 3.4) or by {@link BoltWriter}: validates the
 * magic, version and checksum of both metas (uses the valid one with the higher txid), then
 * every page it follows (id within the high-water mark and the file, page type, element bounds,
 * key order). Inline buckets and overflow pages are read; nested buckets are refused. See the
 * package comment for the layout.
 *
 * <pre>
 * try (BoltReader r = BoltReader.open(file)) {
 *   for (String name : r.buckets()) {
 *     r.forEach(name, (k, v) -> ...);      // ascending key order
 *   }
 * }
 * </pre>
 * Not thread-safe.
 */
public final class BoltReader implements AutoCloseable {

  /** Receives a bucket's entries in ascending key order; the arrays are the caller's own. */
  @FunctionalInterface
  public interface Visitor {
    void entry(byte[] key, byte[] value) throws IOException;
  }

  private BoltReader() {}

  /** Opens the whole of {@code file}. */
  public static BoltReader open(Path file) throws IOException {
    return open(file, -1);
  }

  /**
   * Opens only the first {@code length} bytes of {@code file} (all of it if {@code length} is
   * negative). For {@code etcdctl snapshot save}'s files, which are the database followed by a
   * 32-byte SHA-256 trailer: pass the file's size minus 32. (A trailer is harmless to
   * {@link #open(Path)} too, since the reader only reads pages below the high-water mark.)
   */
  public static BoltReader open(Path file, long length) throws IOException {
    throw new UnsupportedOperationException("BoltReader: not yet");
  }

  /** The names of the top-level buckets, in the file's (ascending) order. */
  public List<String> buckets() throws IOException {
    throw new UnsupportedOperationException("BoltReader: not yet");
  }

  /**
   * Visits every entry of top-level bucket {@code name} in ascending key order.
   *
   * @throws IllegalArgumentException if there is no such bucket (see {@link #buckets})
   */
  public void forEach(String name, Visitor visitor) throws IOException {
    throw new UnsupportedOperationException("BoltReader: not yet");
  }

  @Override
  public void close() throws IOException {
    throw new UnsupportedOperationException("BoltReader: not yet");
  }
}
