package raft.kv.backup;

import java.nio.ByteBuffer;

/**
 * etcd's keys in its "key" bucket (mvcc/revision.go): a revision as 8 bytes of main revision,
 * '_', 8 bytes of sub revision, all big-endian, so bbolt's byte order is revision order; a
 * delete's tombstone has a 't' appended (17 or 18 bytes).
 */
final class Revisions {
  static final int BYTES = 17;
  static final byte TOMBSTONE = 't';

  private Revisions() {}

  static byte[] toBytes(long main, long sub, boolean tombstone) {
    ByteBuffer b = ByteBuffer.allocate(tombstone ? BYTES + 1 : BYTES);
    b.putLong(main).put((byte) '_').putLong(sub);
    if (tombstone) {
      b.put(TOMBSTONE);
    }
    return b.array();
  }

  static long main(byte[] rev) {
    check(rev);
    return ByteBuffer.wrap(rev).getLong(0);
  }

  static long sub(byte[] rev) {
    check(rev);
    return ByteBuffer.wrap(rev).getLong(9);
  }

  static boolean isTombstone(byte[] rev) {
    return rev.length == BYTES + 1 && rev[BYTES] == TOMBSTONE;
  }

  static byte[] int64(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  static long int64(byte[] b, String what) {
    if (b.length != 8) {
      throw new IllegalArgumentException(what + " is " + b.length + " bytes, not 8");
    }
    return ByteBuffer.wrap(b).getLong();
  }

  private static void check(byte[] rev) {
    if (rev.length != BYTES && !isTombstone(rev) || rev[8] != '_') {
      throw new IllegalArgumentException("not a revision: " + java.util.HexFormat.of()
          .formatHex(rev) + " (etcd's are 8 bytes main, '_', 8 bytes sub[, 't'])");
    }
  }
}
