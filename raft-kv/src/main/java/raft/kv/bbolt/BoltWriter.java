package raft.kv.bbolt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

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
 * Leaf pages go to the file as they fill; the writer keeps only one pending page per tree level,
 * never the database. The metas go in last, so the file is valid only once {@code close()}
 * returns. After an {@link IOException} from {@code bucket} or {@code put} the writer is
 * unusable and {@code close()} only closes the file, leaving it without a valid meta (bbolt and
 * {@link BoltReader} refuse it). An {@link IllegalArgumentException} changes nothing.
 *
 * <p>Beware: {@code close()} cannot know that the caller gave up half way (an exception in
 * its own loop inside try-with-resources): it still writes a valid database of what was put so
 * far. Write to a temporary name and rename only after a clean close. Not thread-safe.
 */
public final class BoltWriter implements AutoCloseable {

  /**
   * The txid of meta page 0; meta page 1 gets one less, as bbolt's {@code Tx.WriteTo} (which
   * etcd's snapshots are made with) does. Even, so that bbolt's next commit (txid 3) overwrites
   * the older meta, page 1, and never the newest.
   */
  static final long TXID = 2;

  private final Path file;
  private final FileChannel channel;
  private final int pageSize = Layout.PAGE_SIZE;
  private final TreeWriter.PageSink sink;
  private long nextPgid = 2; // pages 0 and 1 are the metas, written last
  private final TreeWriter rootTree;
  private byte[] bucketName; // null before the first bucket
  private TreeWriter bucketTree;
  private byte[] lastKey;
  private boolean closed;
  private boolean failed; // an I/O error: close() must not write metas over a partial tree

  private BoltWriter(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
    this.sink = new TreeWriter.PageSink() {
      @Override
      public long nextPgid() {
        return nextPgid;
      }

      @Override
      public void write(byte[] pages) throws IOException {
        writeAt(nextPgid * pageSize, pages);
        nextPgid += pages.length / pageSize;
      }
    };
    this.rootTree = new TreeWriter(sink, pageSize);
  }

  /**
   * Creates (or truncates) {@code file} and returns a writer positioned before the first bucket.
   */
  public static BoltWriter create(Path file) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    return new BoltWriter(file, channel);
  }

  /**
   * Ends the current bucket, if any, and starts the top-level bucket {@code name}.
   *
   * @throws IllegalArgumentException if {@code name} is empty, longer than bbolt's 32,768-byte
   *     key limit in UTF-8, or not after the previous bucket's name in unsigned-byte order
   */
  public void bucket(String name) throws IOException {
    checkOpen();
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    checkKey("bucket name", bytes);
    if (bucketName != null && Layout.compare(bytes, bucketName) <= 0) {
      throw new IllegalArgumentException("bucket \"" + name + "\" is not after bucket \""
          + new String(bucketName, StandardCharsets.UTF_8) + "\": buckets go in ascending order");
    }
    failed = true; // until endBucket returns: it may write pages
    endBucket();
    failed = false;
    bucketName = bytes;
    bucketTree = new TreeWriter(sink, pageSize);
    lastKey = null;
  }

  /**
   * Adds one key to the current bucket.
   *
   * @throws IllegalArgumentException if the key is empty, over 32,768 bytes, not after the
   *     previous key of this bucket in unsigned-byte order, or the value is over bbolt's limit
   * @throws IllegalStateException before the first {@link #bucket}
   */
  public void put(byte[] key, byte[] value) throws IOException {
    checkOpen();
    if (bucketTree == null) {
      throw new IllegalStateException("put before the first bucket()");
    }
    checkKey("key", key);
    if (value.length > Layout.MAX_VALUE) {
      throw new IllegalArgumentException("value of " + value.length + " bytes is over bbolt's "
          + "limit of " + Layout.MAX_VALUE);
    }
    if (lastKey != null && Layout.compare(key, lastKey) <= 0) {
      throw new IllegalArgumentException("key " + Layout.hex(key) + " is not after key " + Layout.hex(lastKey)
          + " in bucket \"" + new String(bucketName, StandardCharsets.UTF_8)
          + "\": keys go in strictly ascending unsigned-byte order");
    }
    // Copies, so that a caller reusing its arrays cannot change pages not yet written.
    failed = true; // until add returns: it may write pages
    bucketTree.add(0, key.clone(), value.clone());
    failed = false;
    lastKey = key.clone();
  }

  /**
   * Ends the last bucket, writes branch pages, the root bucket, the freelist and both metas,
   * then fsyncs and closes the file. A second call does nothing.
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try (channel) {
      if (failed) {
        return; // no metas: the file stays invalid
      }
      endBucket();
      long root = rootTree.finish();
      long freelist = nextPgid;
      sink.write(emptyFreelist(freelist));
      // Everything the metas point at must be on disk before a valid meta is.
      channel.force(true);
      Meta meta = new Meta(pageSize, root, freelist, nextPgid, TXID);
      writeAt(0, meta.toPage(0));
      writeAt(pageSize, new Meta(pageSize, root, freelist, nextPgid, TXID - 1).toPage(1));
      channel.force(true);
    }
  }

  private void endBucket() throws IOException {
    if (bucketTree == null) {
      return;
    }
    byte[] value;
    if (bucketTree.inlineable()) {
      byte[] page = bucketTree.inlinePage();
      value = new byte[Layout.BUCKET_HEADER + page.length]; // root 0, sequence 0, then the page
      System.arraycopy(page, 0, value, Layout.BUCKET_HEADER, page.length);
    } else {
      long root = bucketTree.finish();
      value = ByteBuffer.allocate(Layout.BUCKET_HEADER).order(ByteOrder.LITTLE_ENDIAN)
          .putLong(root).putLong(0).array();
    }
    rootTree.add(Layout.BUCKET_LEAF_FLAG, bucketName, value);
    bucketTree = null;
  }

  private byte[] emptyFreelist(long pgid) {
    byte[] page = new byte[pageSize];
    ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(pgid).putShort((short) Layout.FREELIST).putShort((short) 0).putInt(0);
    return page;
  }

  private void writeAt(long position, byte[] bytes) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    while (b.hasRemaining()) {
      channel.write(b, position + b.position());
    }
  }

  private void checkOpen() {
    if (closed || failed) {
      throw new IllegalStateException("BoltWriter for " + file + " is "
          + (closed ? "closed" : "unusable after an I/O error"));
    }
  }

  private static void checkKey(String what, byte[] key) {
    if (key.length == 0 || key.length > Layout.MAX_KEY) {
      throw new IllegalArgumentException(what + " of " + key.length + " bytes: bbolt takes 1 to "
          + Layout.MAX_KEY);
    }
  }
}
