package raft.transport;

import com.google.protobuf.CodedOutputStream;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.MessageToByteEncoder;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import raft.pb.PeerFrame;

/** The frame codec (4-byte big-endian length, then one PeerFrame) and small helpers. */
final class Frames {
  private Frames() {}

  static final int LENGTH_BYTES = 4;

  /** The largest frame a connection may send before its Hello (a Hello takes ~20 bytes). */
  static final int HELLO_MAX_BYTES = 4096;

  /** Reading side: split the stream into frames, refuse oversized ones, parse PeerFrames. */
  static CappedFrameDecoder addDecoder(ChannelPipeline p, int maxFrameBytes) {
    CappedFrameDecoder frames = new CappedFrameDecoder(maxFrameBytes);
    p.addLast("frames", frames);
    p.addLast("peerFrame", new FrameDecoder());
    return frames;
  }

  /**
   * Netty's length-prefix splitter with a limit that starts at {@link #HELLO_MAX_BYTES} and rises
   * to maxFrameBytes once the connection has said a good Hello. The splitter keeps a frame's
   * bytes until the frame is whole (growing its buffer by doubling), so its limit is the memory
   * one connection can make this member hold: a stranger, or another protocol dialling the peer
   * port, gets a few KiB, not maxFrameBytes. A length over the limit is refused at once, before
   * any of its bytes are kept.
   */
  static final class CappedFrameDecoder extends LengthFieldBasedFrameDecoder {
    private final int maxFrameBytes;
    private int limit = HELLO_MAX_BYTES; // confined to the connection's event loop

    CappedFrameDecoder(int maxFrameBytes) {
      // Netty's limit counts the length field too; ours counts the payload only.
      super(maxFrameBytes + LENGTH_BYTES, 0, LENGTH_BYTES, 0, LENGTH_BYTES);
      this.maxFrameBytes = maxFrameBytes;
    }

    /** The Hello was good: from now on frames up to maxFrameBytes are legitimate. */
    void helloAccepted() {
      limit = maxFrameBytes;
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
      if (in.readableBytes() >= LENGTH_BYTES) {
        long length = in.getUnsignedInt(in.readerIndex());
        if (length > limit) {
          in.skipBytes(in.readableBytes()); // keep none of it while the connection closes
          throw new TooLongFrameException(limit == maxFrameBytes
              ? "a length prefix of " + length + " bytes, over the " + limit + "-byte limit (a"
                  + " peer with a larger maxFrameBytes?)"
              : "a length prefix of " + length + " bytes before its Hello, over the " + limit
                  + "-byte limit for a Hello (another protocol on the peer port?)");
        }
      }
      return super.decode(ctx, in);
    }
  }

  /** Parses a frame straight from Netty's buffer, without copying it to an array first. */
  static final class FrameDecoder extends MessageToMessageDecoder<ByteBuf> {
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out)
        throws IOException {
      out.add(PeerFrame.parseFrom(frame.nioBuffer())); // copies what it keeps, as it must
    }
  }

  /** Writing side: serialize PeerFrames and prefix each with its length. */
  static void addEncoder(ChannelPipeline p) {
    p.addLast("frameEncoder", new FrameEncoder());
  }

  /**
   * Length and body in one pass, straight into one pooled buffer: no intermediate byte array
   * and no separate buffer for the length (what ProtobufEncoder plus LengthFieldPrepender do).
   */
  static final class FrameEncoder extends MessageToByteEncoder<PeerFrame> {
    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, PeerFrame frame,
        boolean preferDirect) {
      return ctx.alloc().ioBuffer(LENGTH_BYTES + frame.getSerializedSize());
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, PeerFrame frame, ByteBuf out)
        throws IOException {
      int size = frame.getSerializedSize(); // memoized by the message
      out.writeInt(size);
      CodedOutputStream body = CodedOutputStream.newInstance(out.nioBuffer(out.writerIndex(),
          size));
      frame.writeTo(body);
      body.checkNoSpaceLeft();
      out.writerIndex(out.writerIndex() + size);
    }
  }

  /** "127.0.0.1:12380", without the leading slash of InetSocketAddress.toString(). */
  static String hostPort(SocketAddress a) {
    if (a instanceof InetSocketAddress i) {
      String host = i.getAddress() != null ? i.getAddress().getHostAddress() : i.getHostString();
      return host + ":" + i.getPort();
    }
    return String.valueOf(a);
  }
}
