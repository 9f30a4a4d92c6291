package raft.kv.bbolt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The pages of a bbolt file below a length: picks the meta at open, then hands out nodes by
 * pgid, each checked to lie within the database (below the meta's high-water mark and the
 * length) and to carry its own id in its header.
 */
final class PageFile implements AutoCloseable {

  final Path file;
  private final FileChannel channel;
  private final long length;
  final Meta meta;

  PageFile(Path file, FileChannel channel, long length) throws IOException {
    this.file = file;
    this.channel = channel;
    this.length = length;
    this.meta = pickMeta();
    long need = meta.highWater() * meta.pageSize();
    if (meta.highWater() < 3 || meta.highWater() > length / meta.pageSize()) {
      throw new BoltFormatException(file, "truncated or damaged: the meta (txid " + meta.txid()
          + ") counts " + meta.highWater() + " pages of " + meta.pageSize() + " bytes ("
          + need + " bytes), the file has " + length + " bytes");
    }
  }

  /** bbolt's {@code db.meta()}: of the valid metas, the one with the higher txid. */
  private Meta pickMeta() throws IOException {
    String[] problems = new String[2];
    Meta[] metas = new Meta[2];
    int pageSize = Layout.PAGE_SIZE;
    for (int i = 0; i < 2; i++) {
      long at = i * (long) pageSize;
      if (length < at + Layout.PAGE_HEADER + Layout.META_CHECKSUMMED + 8) {
        problems[i] = "truncated (file of " + length + " bytes)";
        continue;
      }
      try {
        metas[i] = Meta.parse(read(at, Layout.PAGE_HEADER + Layout.META_CHECKSUMMED + 8), i);
        pageSize = i == 0 ? metas[i].pageSize() : pageSize; // meta 1 sits one page further on
      } catch (IllegalArgumentException e) {
        problems[i] = e.getMessage();
      }
    }
    if (metas[0] == null && metas[1] == null) {
      throw new BoltFormatException(file, "no valid meta page: page 0: " + problems[0]
          + "; page 1: " + problems[1]);
    }
    if (metas[0] == null || (metas[1] != null && metas[1].txid() > metas[0].txid())) {
      return metas[1];
    }
    return metas[0];
  }

  /**
   * The node at {@code pgid} with its overflow pages, little-endian, position 0; {@code from}
   * says what points at it, for messages ("the meta's root", "branch page 7").
   */
  ByteBuffer node(long pgid, String from) throws IOException {
    checkPgid(pgid, pgid, " (" + from + ")");
    int pageSize = meta.pageSize();
    ByteBuffer header = ByteBuffer.wrap(read(pgid * pageSize, Layout.PAGE_HEADER))
        .order(ByteOrder.LITTLE_ENDIAN);
    long id = header.getLong(0);
    if (id != pgid) {
      throw new BoltFormatException(file, pgid, "header says page " + id + " (" + from + ")");
    }
    long overflow = header.getInt(12) & 0xffffffffL;
    checkPgid(pgid, pgid + overflow, " (the last of its " + overflow + " overflow pages)");
    long bytes = (overflow + 1) * pageSize;
    if (bytes > Integer.MAX_VALUE - 8) {
      throw new BoltFormatException(file, pgid, "node of " + bytes + " bytes is too large");
    }
    return ByteBuffer.wrap(read(pgid * pageSize, (int) bytes)).order(ByteOrder.LITTLE_ENDIAN);
  }

  private void checkPgid(long pgid, long last, String what) throws BoltFormatException {
    if (pgid < 2 || last >= meta.highWater() || last < pgid) {
      throw new BoltFormatException(file, pgid, "page " + last + what + " is outside the "
          + "database (pages 2 to " + (meta.highWater() - 1) + "; 0 and 1 are the metas)");
    }
  }

  private byte[] read(long position, int size) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(size);
    while (b.hasRemaining()) {
      if (channel.read(b, position + b.position()) < 0) {
        throw new BoltFormatException(file, "truncated: cannot read " + size + " bytes at "
            + position);
      }
    }
    return b.array();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
