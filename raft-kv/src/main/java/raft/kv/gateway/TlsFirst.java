package raft.kv.gateway;

import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.InternalChannelz;
import io.grpc.SecurityLevel;
import io.grpc.internal.GrpcAttributes;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiationEvent;
import io.grpc.netty.shaded.io.grpc.netty.ProtocolNegotiationEvent;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelPipeline;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * The client port over TLS: the handshake first, then the same choice as on a plain port
 * ({@link ProtocolSniffer}: the HTTP/2 preface goes to gRPC, anything else to the HTTP/1.1
 * gateway) on the decrypted bytes. gRPC is told of the TLS session as its own TLS negotiator
 * would tell it ({@link Grpc#TRANSPORT_ATTR_SSL_SESSION}, {@link SecurityLevel}
 * PRIVACY_AND_INTEGRITY), so a call's attributes carry the client's certificate.
 *
 * <p>A client that fails the handshake (no certificate where one is required, one from another
 * CA, an expired one, plain text or garbage) is closed at once, before any byte reaches gRPC or
 * the gateway; the SslHandler's own handshake timeout (10 s) closes one that never finishes.
 */
final class TlsFirst extends ChannelInboundHandlerAdapter {
  private final SslContext tls;
  private final Supplier<ChannelHandler> grpc;
  private final BiConsumer<ChannelPipeline, String> http1;
  private final java.util.function.Consumer<String> refusals;
  private ProtocolNegotiationEvent negotiation = InternalProtocolNegotiationEvent.getDefault();

  /** @param refusals told of each failed handshake, one line (etcd logs them too) */
  TlsFirst(SslContext tls, Supplier<ChannelHandler> grpc,
      BiConsumer<ChannelPipeline, String> http1, java.util.function.Consumer<String> refusals) {
    this.tls = tls;
    this.grpc = grpc;
    this.http1 = http1;
    this.refusals = refusals;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    ctx.pipeline().addBefore(ctx.name(), null, tls.newHandler(ctx.alloc()));
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ProtocolNegotiationEvent e) {
      negotiation = e; // gRPC's, fired once the channel is active: kept for after the handshake
      return;
    }
    if (!(evt instanceof SslHandshakeCompletionEvent done)) {
      ctx.fireUserEventTriggered(evt);
      return;
    }
    if (!done.isSuccess()) {
      refusals.accept("rejected connection from " + ctx.channel().remoteAddress() + ": "
          + raft.transport.TlsFailures.reason(done.cause(), "plain text on the TLS client"
              + " port: an http:// endpoint?"));
      ctx.close();
      return;
    }
    SSLSession session = ctx.pipeline().get(SslHandler.class).engine().getSession();
    Attributes attrs = InternalProtocolNegotiationEvent.getAttributes(negotiation).toBuilder()
        .set(GrpcAttributes.ATTR_SECURITY_LEVEL, SecurityLevel.PRIVACY_AND_INTEGRITY)
        .set(Grpc.TRANSPORT_ATTR_SSL_SESSION, session)
        .build();
    ProtocolNegotiationEvent secured = InternalProtocolNegotiationEvent.withSecurity(
        InternalProtocolNegotiationEvent.withAttributes(negotiation, attrs),
        new InternalChannelz.Security(new InternalChannelz.Tls(session)));
    ChannelPipeline p = ctx.pipeline();
    p.addAfter(ctx.name(), null, new ProtocolSniffer(grpc, http1));
    ctx.fireUserEventTriggered(secured); // the sniffer holds it for gRPC's handler
    p.remove(this);
  }

  /** Handshake failures end here: the connection closes, nothing else hears of it. */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        ctx.close();
        return;
      }
    }
    ctx.fireExceptionCaught(cause);
  }
}
