package raft.kv.gateway;

import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalNettyServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelPipeline;
import io.grpc.netty.shaded.io.netty.channel.group.ChannelGroup;
import io.grpc.netty.shaded.io.netty.channel.group.DefaultChannelGroup;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpObjectAggregator;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpServerCodec;
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
 * <p>gRPC never learns of the HTTP/1.1 connections (its transport never sees a SETTINGS frame,
 * so it never counts them ready, and its handshake timeout's close is a write that stays
 * buffered behind the negotiation that never completes), so this negotiator keeps them in a
 * group and closes them when the server stops ({@link #close}).
 */
public final class ClientPortNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {
  private final InternalProtocolNegotiator.ProtocolNegotiator grpc =
      InternalProtocolNegotiators.serverPlaintext();
  private final ChannelGroup http1 = new DefaultChannelGroup("json-gateway",
      GlobalEventExecutor.INSTANCE);
  private final Supplier<ChannelHandler> gateway;
  private final int maxRequestBytes;

  /**
   * @param gateway a new {@link GatewayHandler} per connection
   * @param maxRequestBytes the largest HTTP/1.1 request body taken (413 beyond)
   */
  public ClientPortNegotiator(Supplier<ChannelHandler> gateway, int maxRequestBytes) {
    this.gateway = gateway;
    this.maxRequestBytes = maxRequestBytes;
  }

  /** What NettyServerBuilder.forAddress(address, credentials) takes. */
  public ServerCredentials credentials() {
    return InternalNettyServerCredentials.create(this);
  }

  @Override
  public AsciiString scheme() {
    return grpc.scheme();
  }

  @Override
  public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
    return new ProtocolSniffer(() -> grpc.newHandler(grpcHandler), this::http1);
  }

  private void http1(ChannelPipeline p, String after) {
    http1.add(p.channel());
    p.addAfter(after, null, new HttpServerCodec());
    p.addAfter(p.context(HttpServerCodec.class).name(), null,
        new HttpObjectAggregator(maxRequestBytes));
    p.addAfter(p.context(HttpObjectAggregator.class).name(), null, gateway.get());
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
