package raft.transport;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.codec.protobuf.ProtobufDecoder;
import io.netty.handler.codec.protobuf.ProtobufEncoder;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
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
    p.addLast("peerFrame", new ProtobufDecoder(PeerFrame.getDefaultInstance()));
  }

  /** Writing side: serialize PeerFrames and prefix each with its length. */
  static void addEncoder(ChannelPipeline p) {
    p.addLast("length", new LengthFieldPrepender(LENGTH_BYTES));
    p.addLast("protobuf", new ProtobufEncoder());
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
