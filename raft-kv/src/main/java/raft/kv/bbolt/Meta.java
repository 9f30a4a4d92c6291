package raft.kv.bbolt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A meta page's fields (bbolt's {@code meta} struct, at offset 16 of pages 0 and 1).
 *
 * @param pageSize the database's page size
 * @param root the root bucket's page (the tree of top-level bucket names)
 * @param freelist the freelist's page, or {@link Layout#NO_FREELIST}
 * @param highWater bbolt's {@code pgid}: pages at and above it are not part of the database
 * @param txid the transaction that wrote this meta
 */
record Meta(int pageSize, long root, long freelist, long highWater, long txid) {

  /** The meta page with id {@code pgid} (0 or 1), checksummed, {@code pageSize} bytes. */
  byte[] toPage(long pgid) {
    byte[] page = new byte[pageSize];
    ByteBuffer b = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(pgid).putShort((short) Layout.META).putShort((short) 0).putInt(0);
    b.putInt(Layout.MAGIC).putInt(Layout.VERSION).putInt(pageSize).putInt(0);
    b.putLong(root).putLong(0).putLong(freelist).putLong(highWater).putLong(txid);
    b.putLong(Layout.fnv1a64(page, Layout.PAGE_HEADER, Layout.META_CHECKSUMMED));
    return page;
  }

  /**
   * Parses and checks the meta in {@code page} (at least 16 + 64 bytes) that should be page
   * {@code pgid}: returns the meta, or throws {@link IllegalArgumentException} with what is
   * wrong, in bbolt's words where bbolt has them ("invalid database", "version mismatch",
   * "checksum error").
   */
  static Meta parse(byte[] page, long pgid) {
    ByteBuffer b = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
    long id = b.getLong(0);
    int flags = b.getShort(8) & 0xffff;
    b.position(Layout.PAGE_HEADER);
    int magic = b.getInt();
    int version = b.getInt();
    int pageSize = b.getInt();
    b.getInt(); // flags, unused by bbolt 1.3
    long root = b.getLong();
    b.getLong(); // the root bucket's sequence, unused at the top level
    long freelist = b.getLong();
    long highWater = b.getLong();
    long txid = b.getLong();
    long checksum = b.getLong();
    if (magic != Layout.MAGIC) {
      throw new IllegalArgumentException(String.format(
          "invalid database (magic %08x, want %08x)", magic, Layout.MAGIC));
    }
    if (version != Layout.VERSION) {
      throw new IllegalArgumentException("version mismatch (version " + version + ", want 2)");
    }
    long sum = Layout.fnv1a64(page, Layout.PAGE_HEADER, Layout.META_CHECKSUMMED);
    if (checksum != sum) {
      throw new IllegalArgumentException(String.format(
          "checksum error (stored %016x, computed %016x)", checksum, sum));
    }
    if (id != pgid || (flags & Layout.META) == 0) {
      throw new IllegalArgumentException("not a meta page (id " + id + ", flags 0x"
          + Integer.toHexString(flags) + ")");
    }
    if (pageSize < 512 || pageSize > (1 << 20) || Integer.bitCount(pageSize) != 1) {
      throw new IllegalArgumentException("page size " + pageSize + " is not a power of two in "
          + "[512, 1 MiB]");
    }
    return new Meta(pageSize, root, freelist, highWater, txid);
  }
}
