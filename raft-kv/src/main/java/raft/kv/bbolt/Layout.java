package raft.kv.bbolt;

/** bbolt's on-disk constants (go.etcd.io/bbolt 1.3, page.go and friends), little-endian. */
final class Layout {

  static final int PAGE_SIZE = 4096;
  static final int PAGE_HEADER = 16; // id u64, flags u16, count u16, overflow u32

  static final int BRANCH = 0x01;
  static final int LEAF = 0x02;
  static final int META = 0x04;
  static final int FREELIST = 0x10;

  /** Leaf element: flags u32, pos u32, ksize u32, vsize u32. */
  static final int LEAF_ELEMENT = 16;
  /** Branch element: pos u32, ksize u32, pgid u64. */
  static final int BRANCH_ELEMENT = 16;
  /** The leaf element flag of a value that is a bucket header. */
  static final int BUCKET_LEAF_FLAG = 0x01;
  /** A bucket's header: root pgid u64 (0 = inline page follows), sequence u64. */
  static final int BUCKET_HEADER = 16;

  static final int MAGIC = 0xED0CDAED;
  static final int VERSION = 2;
  /** magic, version, pageSize, flags (4 each), root, sequence, freelist, pgid, txid (8 each). */
  static final int META_CHECKSUMMED = 56;
  /** The meta's freelist field when bbolt did not sync a freelist (NoFreelistSync). */
  static final long NO_FREELIST = -1L;

  /** bbolt's MaxKeySize and MaxValueSize. */
  static final int MAX_KEY = 32768;
  static final long MAX_VALUE = (1L << 31) - 2;

  /** A page count that a freelist's u16 count cannot hold: the real count is in the first u64. */
  static final int FREELIST_COUNT_OVERFLOW = 0xFFFF;

  private Layout() {}

  /** FNV-1a 64 of {@code bytes[off, off + len)}, as Go's hash/fnv New64a. */
  static long fnv1a64(byte[] bytes, int off, int len) {
    long h = 0xcbf29ce484222325L;
    for (int i = off; i < off + len; i++) {
      h ^= bytes[i] & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** Unsigned lexicographic comparison, bbolt's (bytes.Compare) key order. */
  static int compare(byte[] a, byte[] b) {
    return java.util.Arrays.compareUnsigned(a, b);
  }

  /** A key for messages: hex, the first 32 bytes of a long one. */
  static String hex(byte[] bytes) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < Math.min(bytes.length, 32); i++) {
      s.append(String.format("%02x", bytes[i] & 0xff));
    }
    return bytes.length > 32 ? s + "...(" + bytes.length + " bytes)" : s.toString();
  }
}
