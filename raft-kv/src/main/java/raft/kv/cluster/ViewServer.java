package raft.kv.cluster;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import raft.transport.NettyIo;

/**
 * The cluster view's web server (Netty, on loopback only): the page's static files from the
 * classpath's raft/kv/view/, the frames as server-sent events on /events, and the page's
 * buttons as {@code POST /api/<verb>}. One event-loop thread; nothing here blocks it: actions
 * run elsewhere and answer when done. A browser that stops reading is dropped once its
 * connection's write buffer passes {@link #SLOW_BROWSER_BYTES}, so it never holds the poller.
 */
final class ViewServer implements AutoCloseable {
  static final int SLOW_BROWSER_BYTES = 1 << 20;
  private static final String STATIC_ROOT = "/raft/kv/view/";
  private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
      "css", "text/css; charset=utf-8", "js", "text/javascript; charset=utf-8",
      "png", "image/png", "svg", "image/svg+xml");

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
      NettyIo.current().ioHandlers());
  private final ChannelGroup browsers = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final BiFunction<String, String, CompletableFuture<String>> actions;
  private final Supplier<List<String>> greeting;
  private Channel listener;
  private int port;

  /**
   * {@code actions} takes a verb and the request's JSON body and completes with the JSON
   * answer; {@code greeting} gives the events a newly connected page gets first.
   */
  ViewServer(BiFunction<String, String, CompletableFuture<String>> actions,
      Supplier<List<String>> greeting) {
    this.actions = actions;
    this.greeting = greeting;
  }

  /** Listens on 127.0.0.1:port; fails if the port is taken. */
  void start(int port) throws InterruptedException {
    this.port = port;
    listener = new ServerBootstrap().group(group).channel(NettyIo.current().serverChannel())
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
            new WriteBufferWaterMark(SLOW_BROWSER_BYTES / 2, SLOW_BROWSER_BYTES))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                new Handler());
          }
        })
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).sync().channel();
  }

  /** Sends one server-sent event to every connected page; drops pages that fell behind. */
  void broadcast(String event) {
    ByteBuf bytes = Unpooled.copiedBuffer(event, StandardCharsets.UTF_8);
    try {
      for (Channel ch : browsers) {
        if (!ch.isWritable()) {
          ch.close(); // its buffer passed the high-water mark: a browser that does not read
          continue;
        }
        ch.writeAndFlush(new DefaultHttpContent(bytes.retainedDuplicate()));
      }
    } finally {
      bytes.release();
    }
  }

  /** How many pages are connected to /events. */
  int browsers() {
    return browsers.size();
  }

  @Override
  public void close() {
    browsers.close().awaitUninterruptibly();
    if (listener != null) {
      listener.close().awaitUninterruptibly();
    }
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      String path = req.uri().replaceFirst("[?#].*", "");
      boolean keep = HttpUtil.isKeepAlive(req);
      if (!fromThisMachine(req)) {
        reply(ctx, keep, HttpResponseStatus.FORBIDDEN, "text/plain", bytes("forbidden\n"));
      } else if (path.equals("/events") && req.method() == HttpMethod.GET) {
        events(ctx);
      } else if (path.startsWith("/api/") && req.method() == HttpMethod.POST) {
        String body = req.content().toString(StandardCharsets.UTF_8);
        // req is released when this returns: keep only what the answer needs
        actions.apply(path.substring(5), body).whenComplete((json, e) -> reply(ctx, keep,
            HttpResponseStatus.OK, "application/json", bytes(json != null ? json
            : "{\"ok\":false,\"error\":\"internal error\"}")));
      } else if (req.method() == HttpMethod.GET) {
        file(ctx, keep, path.equals("/") ? "index.html" : path.substring(1));
      } else {
        reply(ctx, keep, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain",
            bytes("method not allowed\n"));
      }
    }

    /**
     * Only pages served from here may act: the Host must be ours (no DNS rebinding) and a
     * cross-site Origin is refused (a JSON POST from elsewhere needs a preflight we never
     * answer, but say no anyway).
     */
    private boolean fromThisMachine(FullHttpRequest req) {
      String host = req.headers().get(HttpHeaderNames.HOST, "");
      boolean ours = host.equals("127.0.0.1:" + port) || host.equals("localhost:" + port);
      String origin = req.headers().get(HttpHeaderNames.ORIGIN);
      return ours && (origin == null || origin.equals("http://" + host));
    }

    private void events(ChannelHandlerContext ctx) {
      HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
          .set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
      HttpUtil.setTransferEncodingChunked(res, true);
      ctx.write(res);
      // Joined before the greeting is read: a frame the poller sends meanwhile is written
      // after this handler returns (it runs on this loop), so it follows the greeting instead
      // of being lost; an event in both is drawn once (the page skips numbers it has seen).
      browsers.add(ctx.channel());
      for (String e : greeting.get()) {
        ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer(e, StandardCharsets.UTF_8)));
      }
      ctx.flush();
    }

    private void file(ChannelHandlerContext ctx, boolean keep, String name) {
      byte[] body = name.matches("[a-z0-9][a-z0-9_-]*\\.[a-z]+") ? resource(name) : null;
      if (body == null) {
        reply(ctx, keep, HttpResponseStatus.NOT_FOUND, "text/plain", bytes("not found\n"));
        return;
      }
      String ext = name.substring(name.lastIndexOf('.') + 1);
      reply(ctx, keep, HttpResponseStatus.OK, TYPES.getOrDefault(ext,
          "application/octet-stream"), body);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // a browser that went away mid-write: nothing to report
    }
  }

  /** A file of the page, read once from the classpath; null if there is none. */
  private byte[] resource(String name) {
    byte[] cached = files.get(name);
    if (cached != null) {
      return cached;
    }
    try (InputStream in = ViewServer.class.getResourceAsStream(STATIC_ROOT + name)) {
      if (in == null) {
        return null;
      }
      byte[] body = in.readAllBytes();
      files.put(name, body);
      return body;
    } catch (IOException e) {
      return null;
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void reply(ChannelHandlerContext ctx, boolean keepAlive,
      HttpResponseStatus status, String type, byte[] body) {
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.wrappedBuffer(body));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, type)
        .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    HttpUtil.setKeepAlive(res, keepAlive);
    var written = ctx.writeAndFlush(res);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }
}
