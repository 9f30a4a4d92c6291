package raft.transport;

import com.google.protobuf.CodedOutputStream;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.MessageToByteEncoder;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import raft.pb.PeerFrame;

/** The frame codec (4-byte big-endian length, then one PeerFrame) and small helpers. */
final class Frames {
  private Frames() {}

  static final int LENGTH_BYTES = 4;

  /** Reading side: split the stream into frames, refuse oversized ones, parse PeerFrames. */
  static void addDecoder(ChannelPipeline p, int maxFrameBytes) {
    // The decoder's limit counts the length field too; ours counts the payload only.
    p.addLast("frames", new LengthFieldBasedFrameDecoder(maxFrameBytes + LENGTH_BYTES,
        0, LENGTH_BYTES, 0, LENGTH_BYTES));
    p.addLast("peerFrame", new FrameDecoder());
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
