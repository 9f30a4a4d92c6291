package raft.kv.gateway;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelPipeline;
import io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Tells HTTP/2 from HTTP/1.1 on a connection's first bytes, as etcd's cmux does: a client
 * speaking gRPC opens with the HTTP/2 connection preface ({@code PRI * HTTP/2.0...}), an
 * HTTP/1.1 client with a request line ({@code POST /v3/kv/put HTTP/1.1}). The bytes read and the
 * events seen until the answer are held, then replayed to whichever pipeline takes over, so
 * neither side can tell it was not first. Nothing is written before the answer: gRPC's handler
 * (which sends the server's SETTINGS at once) is only added for a connection that sent the
 * preface.
 */
final class ProtocolSniffer extends ChannelInboundHandlerAdapter {
  static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
      .getBytes(StandardCharsets.US_ASCII);

  /** What the first bytes say. */
  enum Verdict { UNDECIDED, HTTP2, HTTP1 }

  private final Supplier<ChannelHandler> grpc;
  private final BiConsumer<ChannelPipeline, String> http1;
  private final List<Object> events = new ArrayList<>();
  private ByteBuf seen = Unpooled.EMPTY_BUFFER;

  /**
   * @param grpc gRPC's own negotiation handler, made when the preface is seen
   * @param http1 adds the HTTP/1.1 handlers after the named handler
   */
  ProtocolSniffer(Supplier<ChannelHandler> grpc, BiConsumer<ChannelPipeline, String> http1) {
    this.grpc = grpc;
    this.http1 = http1;
  }

  /** The preface, or a prefix of it so far: wait; any other byte: HTTP/1.1. */
  static Verdict verdict(ByteBuf bytes) {
    int n = Math.min(bytes.readableBytes(), PREFACE.length);
    for (int i = 0; i < n; i++) {
      if (bytes.getByte(bytes.readerIndex() + i) != PREFACE[i]) {
        return Verdict.HTTP1;
      }
    }
    return n == PREFACE.length ? Verdict.HTTP2 : Verdict.UNDECIDED;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    events.add(evt); // gRPC's negotiation event among them: its handler needs it to start
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
      return;
    }
    seen = seen.isReadable() ? Unpooled.wrappedBuffer(seen, in) : in;
    Verdict v = verdict(seen);
    if (v == Verdict.UNDECIDED) {
      return;
    }
    ChannelPipeline p = ctx.pipeline();
    if (v == Verdict.HTTP2) {
      p.addAfter(ctx.name(), null, grpc.get());
      events.forEach(ctx::fireUserEventTriggered);
    } else {
      http1.accept(p, ctx.name());
      events.forEach(ReferenceCountUtil::release);
    }
    events.clear();
    ByteBuf all = seen;
    seen = Unpooled.EMPTY_BUFFER;
    ctx.fireChannelRead(all); // on this event loop, before any later read: order is kept
    p.remove(this);
  }

  /** A connection closed before saying what it speaks: drop what it sent. */
  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (seen != Unpooled.EMPTY_BUFFER) {
      ReferenceCountUtil.safeRelease(seen);
    }
    seen = Unpooled.EMPTY_BUFFER;
  }
}
