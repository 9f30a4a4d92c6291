package raft.kv.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The first bytes' verdict (the HTTP/2 preface whole, a prefix of it, or anything else), and
 * the hand-over: whichever side takes the connection sees every byte and (gRPC) every event.
 */
class ProtocolSnifferTest {
  private static ProtocolSniffer.Verdict verdict(String first) {
    return ProtocolSniffer.verdict(Unpooled.wrappedBuffer(
        first.getBytes(StandardCharsets.ISO_8859_1)));
  }

  @Test
  void thePrefaceWholeIsHttp2() {
    assertEquals(ProtocolSniffer.Verdict.HTTP2, verdict("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
    assertEquals(ProtocolSniffer.Verdict.HTTP2,
        verdict("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\u0012\u0004")); // SETTINGS follows
  }

  @Test
  void aPrefixOfThePrefaceWaitsForMore() {
    assertEquals(ProtocolSniffer.Verdict.UNDECIDED, verdict(""));
    assertEquals(ProtocolSniffer.Verdict.UNDECIDED, verdict("P"));
    assertEquals(ProtocolSniffer.Verdict.UNDECIDED, verdict("PRI * HTTP/2.0\r\n\r\nSM\r\n\r"));
  }

  @Test
  void anythingElseIsHttp1() {
    assertEquals(ProtocolSniffer.Verdict.HTTP1, verdict("POST /v3/kv/put HTTP/1.1\r\n"));
    assertEquals(ProtocolSniffer.Verdict.HTTP1, verdict("PO")); // POST, PUT: decided at 'O'
    assertEquals(ProtocolSniffer.Verdict.HTTP1, verdict("GET /metrics HTTP/1.1\r\n"));
    assertEquals(ProtocolSniffer.Verdict.HTTP1, verdict("PRI * HTTP/1.1\r\n")); // not HTTP/2
  }

  /** What a pipeline after the sniffer saw: the events and bytes, in order. */
  private static final class Recorder extends ChannelInboundHandlerAdapter {
    final StringBuilder seen = new StringBuilder();

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      seen.append('[').append(evt).append(']');
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf b = (ByteBuf) msg;
      seen.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
  }

  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
  }

  @Test
  void aPrefaceInPiecesReachesGrpcWholeAfterItsEvents() {
    Recorder grpc = new Recorder();
    List<String> http1 = new ArrayList<>();
    EmbeddedChannel ch = new EmbeddedChannel(new ProtocolSniffer(() -> grpc,
        (p, after) -> http1.add(after)));
    ch.pipeline().fireUserEventTriggered("negotiation");
    ch.writeInbound(bytes("PRI * HT"));
    assertEquals("", grpc.seen.toString()); // undecided: nothing passed on yet
    ch.writeInbound(bytes("TP/2.0\r\n\r\nSM\r\n\r\nSETTINGS"));
    ch.writeInbound(bytes("+more"));
    assertEquals("[negotiation]PRI * HTTP/2.0\r\n\r\nSM\r\n\r\nSETTINGS+more",
        grpc.seen.toString());
    assertEquals(List.of(), http1);
    assertNull(ch.pipeline().get(ProtocolSniffer.class)); // out of the way from then on
    ch.finishAndReleaseAll();
  }

  @Test
  void http1GetsEveryByteAndNoGrpcEvent() {
    Recorder http = new Recorder();
    EmbeddedChannel ch = new EmbeddedChannel(new ProtocolSniffer(() -> {
      throw new AssertionError("not gRPC");
    }, (p, after) -> p.addAfter(after, null, http)));
    ch.pipeline().fireUserEventTriggered("negotiation");
    ch.writeInbound(bytes("P"));
    ch.writeInbound(bytes("OST /v3/kv/put HTTP/1.1\r\n"));
    assertEquals("POST /v3/kv/put HTTP/1.1\r\n", http.seen.toString());
    ch.finishAndReleaseAll();
  }
}
