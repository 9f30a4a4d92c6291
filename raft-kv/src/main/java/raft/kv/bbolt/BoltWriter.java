package raft.kv.bbolt;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes a fresh bbolt file (page size 4096) that bbolt 1.3 (etcd 3.4) opens: top-level buckets
 * in ascending name order, each with its keys in ascending unsigned-byte order. See the package
 * comment for the layout.
 *
 * <pre>
 * try (BoltWriter w = BoltWriter.create(file)) {
 *   w.bucket("key");            // starts a top-level bucket, ends the previous one
 *   w.put(key, value);          // keys strictly ascending within the bucket
 * }                             // close(): branches, root bucket, freelist, metas, fsync
 * </pre>
 *
 * Leaf pages go to the file as they fill; the writer keeps only one pending page per tree level
 * and the list of finished buckets, never the database. A writer that threw is unusable and its
 * file incomplete (no valid meta): delete it. Not thread-safe.
 */
public final class BoltWriter implements AutoCloseable {

  private BoltWriter() {}

  /**
   * Creates (or truncates) {@code file} and returns a writer positioned before the first bucket.
   */
  public static BoltWriter create(Path file) throws IOException {
    throw new UnsupportedOperationException("BoltWriter: not yet");
  }

  /**
   * Ends the current bucket, if any, and starts the top-level bucket {@code name}.
   *
   * @throws IllegalArgumentException if {@code name} is empty, longer than bbolt's 32,768-byte
   *     key limit in UTF-8, or not after the previous bucket's name in unsigned-byte order
   */
  public void bucket(String name) throws IOException {
    throw new UnsupportedOperationException("BoltWriter: not yet");
  }

  /**
   * Adds one key to the current bucket.
   *
   * @throws IllegalArgumentException if the key is empty, over 32,768 bytes, not after the
   *     previous key of this bucket in unsigned-byte order, or the value is over bbolt's limit
   * @throws IllegalStateException before the first {@link #bucket}
   */
  public void put(byte[] key, byte[] value) throws IOException {
    throw new UnsupportedOperationException("BoltWriter: not yet");
  }

  /** Ends the last bucket, writes branch pages, the root bucket, the freelist and both metas,
   * then fsyncs and closes the file. */
  @Override
  public void close() throws IOException {
    throw new UnsupportedOperationException("BoltWriter: not yet");
  }
}
