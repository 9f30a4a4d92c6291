package raft.transport;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import raft.pb.Message;
import raft.pb.PeerFrame;
import raft.pb.SnapshotChunk;

/**
 * A large MsgSnap as a stream of SnapshotChunk frames, for Netty's ChunkedWriteHandler, which
 * pulls the next chunk only when the socket can take it. The Message is serialized on the first
 * pull (on the event loop, not the caller's thread); chunks are zero-copy slices of that array.
 */
final class SnapshotChunks implements ChunkedInput<PeerFrame> {
  private final Message message;
  private final int chunkBytes;
  private ByteString bytes; // null until the first chunk is read
  private int crc32c;
  private long offset;

  SnapshotChunks(Message message, int chunkBytes) {
    this.message = message;
    this.chunkBytes = chunkBytes;
  }

  /** The snapshot message these chunks carry. */
  Message message() {
    return message;
  }

  @Override
  public boolean isEndOfInput() {
    return bytes != null && offset >= bytes.size();
  }

  @Override
  public PeerFrame readChunk(ChannelHandlerContext ctx) {
    return readChunk(ctx.alloc());
  }

  @Override
  public PeerFrame readChunk(ByteBufAllocator allocator) {
    if (bytes == null) {
      byte[] serialized = message.toByteArray();
      bytes = UnsafeByteOperations.unsafeWrap(serialized);
      crc32c = crc32c(bytes);
    }
    if (isEndOfInput()) {
      return null;
    }
    int n = (int) Math.min(chunkBytes, bytes.size() - offset);
    boolean done = offset + n == bytes.size();
    SnapshotChunk.Builder chunk = SnapshotChunk.newBuilder()
        .setSnapshotTerm(message.getSnapshot().getMetadata().getTerm())
        .setSnapshotIndex(message.getSnapshot().getMetadata().getIndex())
        .setOffset(offset)
        .setData(bytes.substring((int) offset, (int) offset + n))
        .setDone(done);
    if (done) {
      chunk.setCrc32C(crc32c);
    }
    offset += n;
    return PeerFrame.newBuilder().setChunk(chunk).build();
  }

  @Override
  public long length() {
    return message.getSerializedSize();
  }

  @Override
  public long progress() {
    return offset;
  }

  @Override
  public void close() {
    bytes = ByteString.EMPTY; // nothing native to free; let the array go
    offset = 0;
  }

  /** CRC32C (Castagnoli) of possibly rope-shaped bytes, without flattening them. */
  static int crc32c(ByteString data) {
    CRC32C crc = new CRC32C();
    for (ByteBuffer b : data.asReadOnlyByteBufferList()) {
      crc.update(b);
    }
    return (int) crc.getValue();
  }
}
