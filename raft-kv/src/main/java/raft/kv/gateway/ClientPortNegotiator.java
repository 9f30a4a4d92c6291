package raft.kv.gateway;

import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalNettyServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelOutboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelPromise;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpObject;
import io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil;
import io.grpc.netty.shaded.io.netty.channel.ChannelPipeline;
import io.grpc.netty.shaded.io.netty.channel.group.ChannelGroup;
import io.grpc.netty.shaded.io.netty.channel.group.DefaultChannelGroup;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpServerCodec;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.util.AsciiString;
import io.grpc.netty.shaded.io.netty.util.concurrent.GlobalEventExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The client port's protocol negotiator: gRPC (HTTP/2 with prior knowledge, as etcd's clients
 * speak it) and etcd's JSON gateway plus /metrics, /health and /version (HTTP/1.1) on one port,
 * as etcd serves them with cmux. {@link ProtocolSniffer} reads a connection's first bytes: the
 * HTTP/2 preface hands the connection to gRPC's own plaintext negotiator, anything else gets an
 * HTTP/1.1 pipeline ending in the {@link GatewayHandler}.
 *
 * <p>gRPC's transport never sees a SETTINGS frame on an HTTP/1.1 connection, so it never counts
 * it ready and its handshake timeout (two minutes) would close it: {@link GrpcCommandsRefused}
 * keeps gRPC's close commands off these connections, and this negotiator keeps them in a group
 * and closes them itself when the server stops ({@link #close}).
 */
public final class ClientPortNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {
  private final InternalProtocolNegotiator.ProtocolNegotiator grpc =
      InternalProtocolNegotiators.serverPlaintext();
  private final ChannelGroup http1 = new DefaultChannelGroup("json-gateway",
      GlobalEventExecutor.INSTANCE);
  private final Supplier<ChannelHandler> gateway;
  private final int maxRequestBytes;
  private final SslContext tls;
  private final java.util.function.Consumer<String> refusals;

  /**
   * @param gateway a new {@link GatewayHandler} per connection
   * @param maxRequestBytes the largest HTTP/1.1 request body taken (429 beyond, see
   *     {@link BodyCap})
   */
  public ClientPortNegotiator(Supplier<ChannelHandler> gateway, int maxRequestBytes) {
    this(gateway, maxRequestBytes, null, line -> { });
  }

  /**
   * The same over TLS ({@link TlsFirst}: the handshake, then the same choice on the decrypted
   * bytes) when {@code tls} is not null; failed handshakes are told to {@code refusals}.
   */
  public ClientPortNegotiator(Supplier<ChannelHandler> gateway, int maxRequestBytes,
      SslContext tls, java.util.function.Consumer<String> refusals) {
    this.gateway = gateway;
    this.maxRequestBytes = maxRequestBytes;
    this.tls = tls;
    this.refusals = refusals;
  }

  /** What NettyServerBuilder.forAddress(address, credentials) takes. */
  public ServerCredentials credentials() {
    return InternalNettyServerCredentials.create(this);
  }

  @Override
  public AsciiString scheme() {
    return tls == null ? grpc.scheme() : HTTPS;
  }

  private static final AsciiString HTTPS = AsciiString.of("https");

  @Override
  public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
    if (tls == null) {
      return new ProtocolSniffer(() -> grpc.newHandler(grpcHandler), this::http1);
    }
    // As gRPC's own TLS negotiator: wait for the channel to be active, then the handshake.
    return InternalProtocolNegotiators.waitUntilActiveHandler(new TlsFirst(tls,
        () -> InternalProtocolNegotiators.grpcNegotiationHandler(grpcHandler), this::http1,
        refusals),
        grpcHandler.getNegotiationLogger());
  }

  private void http1(ChannelPipeline p, String after) {
    http1.add(p.channel());
    p.addAfter(after, null, new HttpServerCodec());
    p.addAfter(p.context(HttpServerCodec.class).name(), null, new BodyCap(maxRequestBytes));
    p.addAfter(p.context(BodyCap.class).name(), null, gateway.get());
    p.addLast(new GrpcCommandsRefused());
  }

  /**
   * At the pipeline's tail, where gRPC's transport writes its commands: the handshake timeout's
   * forceful close, and a shutdown's, are written there for gRPC's own handler, which this
   * connection does not have; gRPC's write buffer in front of it would close the connection on
   * them (two minutes into a watch, for the handshake timeout). They are refused here instead;
   * {@link #close} closes HTTP/1.1 connections when the server stops. The gateway's own writes
   * start after this handler and never pass it.
   */
  static final class GrpcCommandsRefused extends ChannelOutboundHandlerAdapter {
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof HttpObject || msg instanceof ByteBuf) {
        ctx.write(msg, promise);
        return;
      }
      ReferenceCountUtil.release(msg);
      promise.setFailure(new UnsupportedOperationException(
          "not for an HTTP/1.1 connection: " + msg.getClass().getSimpleName()));
    }
  }

  /** Closes the HTTP/1.1 connections (gRPC's shutdown closes its own). */
  @Override
  public void close() {
    http1.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    grpc.close();
  }

  /** HTTP/1.1 connections open now (a test's view). */
  public int http1Connections() {
    return http1.size();
  }
}
