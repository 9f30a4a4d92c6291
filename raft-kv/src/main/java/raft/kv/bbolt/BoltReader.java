package raft.kv.bbolt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

  /**
   * Bounds the recursion (cycles are caught as pages entered twice): bbolt's trees are a
   * handful of levels.
   */
  private static final int MAX_DEPTH = 64;

  private final PageFile pages;
  private Map<String, Bucket> buckets; // read on first use

  /** A top-level bucket's value, and the page it was found on (for messages). */
  private record Bucket(byte[] value, long pgid) {}

  private BoltReader(PageFile pages) {
    this.pages = pages;
  }

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
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    try {
      long size = channel.size();
      if (length > size) {
        throw new BoltFormatException(file, "truncated: " + size + " bytes, expected at least "
            + length);
      }
      BoltReader reader = new BoltReader(new PageFile(file, channel, length < 0 ? size : length));
      reader.checkFreelist();
      return reader;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /**
   * True if {@code file} starts as a bbolt database does: bbolt's magic after page 0's header
   * (whatever follows; {@link #open} checks the rest). To tell a bbolt file from other formats.
   */
  public static boolean hasMagic(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      return channel.read(b, Layout.PAGE_HEADER) == 4 && b.getInt(0) == Layout.MAGIC;
    }
  }

  /** The names of the top-level buckets, in the file's (ascending) order. */
  public List<String> buckets() throws IOException {
    return new ArrayList<>(topLevel().keySet());
  }

  /**
   * Visits every entry of top-level bucket {@code name} in ascending key order.
   *
   * @throws IllegalArgumentException if there is no such bucket (see {@link #buckets})
   */
  public void forEach(String name, Visitor visitor) throws IOException {
    Bucket bucket = topLevel().get(name);
    if (bucket == null) {
      throw new IllegalArgumentException("no bucket \"" + name + "\" in " + pages.file);
    }
    String where = "bucket \"" + name + "\"";
    byte[] v = bucket.value();
    if (v.length < Layout.BUCKET_HEADER) {
      throw new BoltFormatException(pages.file, bucket.pgid(), where + ": bucket value of "
          + v.length + " bytes, shorter than a bucket header (16)");
    }
    long root = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    if (root == 0) { // inline: the bucket's only leaf follows the header
      ByteBuffer inline = ByteBuffer.wrap(v, Layout.BUCKET_HEADER, v.length - Layout.BUCKET_HEADER)
          .slice().order(ByteOrder.LITTLE_ENDIAN);
      visitNode(inline, bucket.pgid(), new Entries(where + " (inline)", null, visitor), true);
    } else if (v.length != Layout.BUCKET_HEADER) {
      throw new BoltFormatException(pages.file, bucket.pgid(), where + ": bucket value of "
          + v.length + " bytes with root page " + root + " (want just the 16-byte header)");
    } else {
      walk(root, where + "'s root", 0, new Entries(where, null, visitor));
    }
  }

  @Override
  public void close() throws IOException {
    pages.close();
  }

  private Map<String, Bucket> topLevel() throws IOException {
    if (buckets == null) {
      Map<String, Bucket> found = new LinkedHashMap<>();
      walk(pages.meta.root(), "the meta's root bucket", 0,
          new Entries("the root bucket", found, null));
      buckets = found;
    }
    return buckets;
  }

  /** Checks the freelist page's header and ids (bbolt reads it at open). */
  private void checkFreelist() throws IOException {
    long pgid = pages.meta.freelist();
    if (pgid == Layout.NO_FREELIST) {
      return; // NoFreelistSync: bbolt rebuilds it by scanning the tree
    }
    ByteBuffer p = pages.node(pgid, "the meta's freelist");
    int flags = p.getShort(8) & 0xffff;
    if (flags != Layout.FREELIST) {
      throw new BoltFormatException(pages.file, pgid, "the meta's freelist page has flags 0x"
          + Integer.toHexString(flags) + ", not 0x10 (freelist)");
    }
    long count = p.getShort(10) & 0xffff;
    int at = Layout.PAGE_HEADER;
    if (count == Layout.FREELIST_COUNT_OVERFLOW) {
      count = p.getLong(at);
      at += 8;
    }
    if (count < 0 || count > (p.capacity() - at) / 8) {
      throw new BoltFormatException(pages.file, pgid, "freelist of " + count
          + " ids does not fit its " + p.capacity() + " bytes");
    }
    for (long i = 0; i < count; i++) {
      long id = p.getLong(at + (int) i * 8);
      if (id < 2 || id >= pages.meta.highWater()) {
        throw new BoltFormatException(pages.file, pgid, "free page id " + id + " is outside "
            + "the database (high-water mark " + pages.meta.highWater() + ")");
      }
    }
  }

  private void walk(long pgid, String from, int depth, Entries sink) throws IOException {
    // A page reached twice in one tree is a cycle or a shared subtree: with empty leaves below
    // (no keys to fail the order check) a few branch levels would make the walk exponential.
    if (!sink.firstVisit(pgid)) {
      throw new BoltFormatException(pages.file, pgid, sink.where + ": page reached twice ("
          + from + "): a cycle or a shared page");
    }
    if (depth > MAX_DEPTH) {
      throw new BoltFormatException(pages.file, pgid, sink.where + ": tree deeper than "
          + MAX_DEPTH + " levels (a cycle?)");
    }
    ByteBuffer node = pages.node(pgid, from);
    int flags = node.getShort(8) & 0xffff;
    if (flags == Layout.BRANCH) {
      List<Long> children = branchChildren(node, pgid, sink.where);
      for (int i = 0; i < children.size(); i++) {
        String child = sink.where + ", child " + i + " of branch page " + pgid;
        walk(children.get(i), child, depth + 1, sink);
      }
    } else if (flags == Layout.LEAF) {
      visitNode(node, pgid, sink, false);
    } else {
      throw new BoltFormatException(pages.file, pgid, sink.where + ": flags 0x"
          + Integer.toHexString(flags) + ", expected a branch (0x01) or leaf (0x02) page");
    }
  }

  private List<Long> branchChildren(ByteBuffer node, long pgid, String where)
      throws IOException {
    int count = node.getShort(10) & 0xffff;
    if (count == 0) {
      throw new BoltFormatException(pages.file, pgid, where + ": empty branch page");
    }
    checkElements(node, count, pgid, where);
    List<Long> children = new ArrayList<>(count);
    byte[] previous = null;
    for (int i = 0; i < count; i++) {
      int elem = Layout.PAGE_HEADER + Layout.BRANCH_ELEMENT * i;
      byte[] key = bytes(node, elem, node.getInt(elem), node.getInt(elem + 4), 0, pgid, where);
      if (previous != null && Layout.compare(key, previous) <= 0) {
        throw new BoltFormatException(pages.file, pgid, where + ": branch keys out of order at "
            + "element " + i);
      }
      previous = key;
      children.add(node.getLong(elem + 8));
    }
    return children;
  }

  /** Visits a leaf page (or an inline bucket's page, checking its flags first). */
  private void visitNode(ByteBuffer node, long pgid, Entries sink, boolean inline)
      throws IOException {
    if (node.capacity() < Layout.PAGE_HEADER
        || (inline && (node.getShort(8) & 0xffff) != Layout.LEAF)) {
      throw new BoltFormatException(pages.file, pgid, sink.where + ": not a leaf page");
    }
    int count = node.getShort(10) & 0xffff;
    checkElements(node, count, pgid, sink.where);
    for (int i = 0; i < count; i++) {
      int elem = Layout.PAGE_HEADER + Layout.LEAF_ELEMENT * i;
      int flags = node.getInt(elem);
      int pos = node.getInt(elem + 4);
      int ksize = node.getInt(elem + 8);
      int vsize = node.getInt(elem + 12);
      byte[] key = bytes(node, elem, pos, ksize, 0, pgid, sink.where);
      byte[] value = bytes(node, elem, pos, vsize, ksize, pgid, sink.where);
      sink.entry(flags, key, value, pgid);
    }
  }

  private void checkElements(ByteBuffer node, int count, long pgid, String where)
      throws BoltFormatException {
    if (Layout.PAGE_HEADER + 16L * count > node.capacity()) {
      throw new BoltFormatException(pages.file, pgid, where + ": " + count
          + " elements do not fit in " + node.capacity() + " bytes");
    }
  }

  /** {@code size} bytes at {@code elem + pos + skip}, checked to lie within the node. */
  private byte[] bytes(ByteBuffer node, int elem, int pos, int size, int skip, long pgid,
      String where) throws BoltFormatException {
    long start = (long) elem + (pos & 0xffffffffL) + (skip & 0xffffffffL);
    long end = start + (size & 0xffffffffL);
    if (end > node.capacity()) {
      throw new BoltFormatException(pages.file, pgid, where + ": element at offset " + elem
          + " points at bytes " + start + " to " + end + ", past the node's " + node.capacity());
    }
    byte[] out = new byte[size];
    node.get((int) start, out);
    return out;
  }

  /**
   * Where a walk's leaf entries go: checks their order and flags, then passes them on, into
   * {@code buckets} for the root bucket (whose entries must all be buckets), else to the visitor
   * (whose entries must all be plain keys).
   */
  private final class Entries {
    final String where;
    /** The pages this tree's walk has entered: a bit per page of the file, not a Long each. */
    private final BitSet seen = new BitSet();
    private final Map<String, Bucket> buckets;
    private final Visitor visitor;
    private byte[] last;

    Entries(String where, Map<String, Bucket> buckets, Visitor visitor) {
      this.where = where;
      this.buckets = buckets;
      this.visitor = visitor;
    }

    /** False if the walk entered {@code pgid} before (ids past 2^31 pages are not tracked). */
    boolean firstVisit(long pgid) {
      if (pgid > Integer.MAX_VALUE) {
        return true;
      }
      boolean first = !seen.get((int) pgid);
      seen.set((int) pgid);
      return first;
    }

    void entry(int flags, byte[] key, byte[] value, long pgid) throws IOException {
      if (key.length == 0 || (last != null && Layout.compare(key, last) <= 0)) {
        throw new BoltFormatException(pages.file, pgid, where + ": key " + Layout.hex(key)
            + (last == null ? " is empty" : " is not after key " + Layout.hex(last)));
      }
      last = key;
      boolean isBucket = (flags & Layout.BUCKET_LEAF_FLAG) != 0;
      boolean topLevel = buckets != null;
      if (topLevel && !isBucket) {
        throw new BoltFormatException(pages.file, pgid, "the root bucket holds key "
            + Layout.hex(key) + ", which is not a bucket");
      }
      if (topLevel) {
        buckets.put(new String(key, StandardCharsets.UTF_8), new Bucket(value, pgid));
      } else if (isBucket) {
        throw new BoltFormatException(pages.file, pgid, where + ": nested bucket "
            + Layout.hex(key) + " (nested buckets are not supported)");
      } else {
        visitor.entry(key, value);
      }
    }
  }
}
