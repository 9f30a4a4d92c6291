package raft.kv.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import raft.transport.NettyIo;

/**
 * etcd's {@code --listen-metrics-urls}: a small HTTP/1.1 server (Netty) answering {@code GET
 * /metrics}, {@code /health} and {@code /version} ({@link HttpRoutes}). It has its own single
 * event loop thread: a scrape reads numbers the member keeps anyway, and a health check waits
 * for its read without blocking anything, so neither the Raft loop nor the apply thread ever
 * waits for it; a slow or stuck client holds one connection, dropped after a minute idle, and
 * at most {@link #MAX_CONNECTIONS} are open at once.
 */
public final class MetricsHttpServer implements AutoCloseable {
  /** A request is a line and a few headers; anything bigger is refused (413). */
  static final int MAX_REQUEST_BYTES = 16 * 1024;
  static final int IDLE_SECONDS = 60;
  /** Scrapers and probes need a few; more are closed at once, so a flood holds little. */
  static final int MAX_CONNECTIONS = 64;

  private final EventLoopGroup group;
  private final List<Channel> listeners = new ArrayList<>();
  private final AtomicInteger open = new AtomicInteger();

  private MetricsHttpServer(EventLoopGroup group) {
    this.group = group;
  }

  /**
   * Listens on every address.
   *
   * @throws UncheckedIOException naming the address if one cannot be bound (nothing is left
   *     listening then)
   */
  public static MetricsHttpServer start(List<InetSocketAddress> addresses, HttpRoutes routes,
      String memberName) {
    EventLoopGroup group = NettyIo.current().group(1,
        new DefaultThreadFactory("metrics-http-" + memberName, true));
    MetricsHttpServer server = new MetricsHttpServer(group);
    try {
      for (InetSocketAddress a : addresses) {
        server.listeners.add(server.bind(a, routes));
      }
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private Channel bind(InetSocketAddress address, HttpRoutes routes) {
    ServerBootstrap b = new ServerBootstrap().group(group).channel(NettyIo.current().serverChannel())
        .option(ChannelOption.SO_REUSEADDR, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (open.incrementAndGet() > MAX_CONNECTIONS) {
              open.decrementAndGet();
              ch.close();
              return;
            }
            ch.closeFuture().addListener(f -> open.decrementAndGet());
            ch.pipeline().addLast(new ReadTimeoutHandler(IDLE_SECONDS, TimeUnit.SECONDS))
                .addLast(new HttpServerCodec())
                .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                .addLast(new HttpHandler(routes));
          }
        });
    ChannelFuture f = b.bind(address).awaitUninterruptibly();
    if (!f.isSuccess()) {
      Throwable c = f.cause();
      throw new UncheckedIOException("metrics port " + address.getHostString() + ":"
          + address.getPort() + " is in use or cannot be bound: " + c.getMessage(),
          c instanceof IOException io ? io : new IOException(c));
    }
    return f.channel();
  }

  /** The bound addresses (a test binds port 0). */
  public List<InetSocketAddress> addresses() {
    return listeners.stream().map(c -> (InetSocketAddress) c.localAddress()).toList();
  }

  @Override
  public void close() {
    for (Channel c : listeners) {
      c.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    }
    group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS)
        .awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
