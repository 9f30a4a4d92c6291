package raft.kv.gateway;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.ChannelFutureListener;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.SimpleChannelInboundHandler;
import io.grpc.netty.shaded.io.netty.handler.codec.TooLongFrameException;
import io.grpc.netty.shaded.io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.FullHttpRequest;
import io.grpc.netty.shaded.io.netty.handler.codec.http.FullHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderNames;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderValues;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaders;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpMethod;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpResponseStatus;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpUtil;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpVersion;
import io.grpc.stub.ClientCalls;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import raft.kv.http.HttpRoutes;

/**
 * One HTTP/1.1 connection on the client port. {@code POST /v3/...} (and {@code /v3beta/...}):
 * the JSON body becomes the route's request message, the call goes to the member's own gRPC
 * services, the answer goes back as JSON ({@link JsonMapping}); a streaming route's answers are
 * chunks, one JSON object a line ({@link StreamBridge}). Other paths: {@link HttpRoutes}. One
 * request at a time per connection (reading pauses until the answer is written, so pipelined
 * requests keep their order); a stream holds its connection until it ends or the client leaves.
 */
final class GatewayHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  static final String JSON = "application/json";
  private final Gateway gateway;
  private StreamBridge stream;
  /** The unary call being answered, cancelled if the client leaves first. */
  private java.util.concurrent.Future<?> pending;
  /** A request pipelined behind the stream, answered when it ends; on the event loop. */
  private FullHttpRequest queued;
  /** Runs while the connection owes a request (see {@link #awaitRequest}): closes it. */
  private ScheduledFuture<?> requestTimer;

  GatewayHandler(Gateway gateway) {
    this.gateway = gateway;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    awaitRequest(ctx); // added as the first request's bytes arrive
  }

  /**
   * Beyond etcd, whose HTTP server sets no timeouts: a connection neither streaming nor being
   * answered must deliver a whole request within {@link Gateway#requestWait}, else it is
   * closed. A client trickling a request's bytes (slowloris), or holding a body half-sent,
   * cannot keep a connection, and up to the body cap of memory, for ever; an idle keep-alive
   * connection closes too, as most HTTP servers close theirs. On the event loop.
   */
  private void awaitRequest(ChannelHandlerContext ctx) {
    stopWaiting();
    requestTimer = ctx.executor().schedule(() -> {
      ctx.close();
    }, gateway.requestWait.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void stopWaiting() {
    if (requestTimer != null) {
      requestTimer.cancel(false);
      requestTimer = null;
    }
  }

  /** Answers on the event loop; a keep-alive connection then owes the next request. */
  private void reply(ChannelHandlerContext ctx, HttpRoutes.Response r, boolean keepAlive) {
    write(ctx, r, keepAlive);
    if (keepAlive) {
      awaitRequest(ctx);
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    stopWaiting(); // a whole request: it is answered, or a stream holds the connection
    if (stream != null) {
      queueBehindStream(ctx, req);
      return;
    }
    if (!req.decoderResult().isSuccess()) {
      // As Go's server: a request line or headers over the limit is 431, other errors 400.
      reply(ctx, req.decoderResult().cause() instanceof TooLongFrameException
          ? HttpRoutes.Response.text(431, "431 Request Header Fields Too Large")
          : HttpRoutes.Response.text(400, "400 Bad Request"), false);
      return;
    }
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    String path = path(req.uri());
    if (path == null || !Routes.gatewayPath(path)) {
      ctx.channel().config().setAutoRead(false);
      answer(gateway.http::answer, req, ctx, keepAlive);
      return;
    }
    Routes.Route route = gateway.routes.get(path);
    if (req.method().equals(HttpMethod.OPTIONS)) {
      reply(ctx, new HttpRoutes.Response(200, null, new byte[0], Map.of()), keepAlive);
    } else if (route == null) {
      reply(ctx, HttpRoutes.Response.text(404, "Not Found\n"), keepAlive);
    } else if (!req.method().equals(HttpMethod.POST)) {
      reply(ctx, HttpRoutes.Response.text(405, "Method Not Allowed\n"), keepAlive);
    } else {
      String body = req.content().toString(StandardCharsets.UTF_8);
      io.grpc.Channel calls = GatewayAuth.calls(gateway.calls, req.headers());
      if (route.streams()) {
        stream(ctx, calls, route, body, keepAlive);
      } else {
        ctx.channel().config().setAutoRead(false);
        unary(ctx, calls, route, body, keepAlive);
      }
    }
  }

  private interface Answerer {
    CompletableFuture<HttpRoutes.Response> answer(String method, String uri);
  }

  /** /metrics, /health, /version: the metrics port's answers (a health check may wait). */
  private void answer(Answerer routes, FullHttpRequest req, ChannelHandlerContext ctx,
      boolean keepAlive) {
    CompletableFuture<HttpRoutes.Response> answer;
    try {
      answer = routes.answer(req.method().name(), req.uri());
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    answer.whenComplete((r, t) -> ctx.executor().execute(() -> reply(ctx, t == null ? r
        : HttpRoutes.Response.text(500, "500 Internal Server Error\n"), keepAlive)));
  }

  private void unary(ChannelHandlerContext ctx, io.grpc.Channel calls, Routes.Route route,
      String body, boolean keepAlive) {
    Message request;
    try {
      request = JsonMapping.parse(body, route.prototype());
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      reply(ctx, error(Status.INVALID_ARGUMENT.withDescription(e.getMessage())), keepAlive);
      return;
    }
    var call = calls.newCall(route.method(), CallOptions.DEFAULT);
    var future = ClientCalls.futureUnaryCall(call, request);
    pending = future;
    // The answer may complete on the apply thread: the JSON is made on this connection's loop.
    future.addListener(() -> {
      HttpRoutes.Response r;
      try {
        r = ok(JsonMapping.print(future.get()));
      } catch (Exception e) {
        r = error(Status.fromThrowable(e));
      }
      reply(ctx, r, keepAlive);
    }, ctx.executor());
  }

  private void stream(ChannelHandlerContext ctx, io.grpc.Channel calls, Routes.Route route,
      String body, boolean keepAlive) {
    java.util.List<Message> requests;
    try {
      requests = JsonMapping.parseAll(body, route.prototype());
    } catch (InvalidProtocolBufferException e) {
      // grpc-gateway v1 answers a stream's undecodable body with 500 and code 2 (Unknown)
      reply(ctx, json(500, JsonMapping.error(Status.UNKNOWN.withDescription(
          e.getMessage())), false), keepAlive);
      return;
    }
    stream = new StreamBridge(ctx, route, keepAlive, () -> {
      stream = null;
      if (keepAlive) {
        awaitRequest(ctx);
        // After this task, which writes the stream's last chunk: answers keep their order.
        ctx.executor().execute(() -> answerQueued(ctx));
      }
    });
    try {
      stream.start(calls, requests);
    } catch (RuntimeException e) { // a bug of ours: the client is told, not left waiting
      stream.cancel("failed to start: " + e);
      stream = null;
      reply(ctx, error(Status.INTERNAL.withDescription(String.valueOf(e))), false);
    }
  }

  /**
   * A request pipelined behind a stream is answered once the stream ends, as Go's server
   * answers it; reading goes on meanwhile (to see the client leave), but one request is all
   * that is held: a client sending more before the stream ends is closed.
   */
  private void queueBehindStream(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (queued == null) {
      queued = req.retain();
    } else {
      ctx.close();
    }
  }

  private void answerQueued(ChannelHandlerContext ctx) {
    FullHttpRequest next = queued;
    queued = null;
    if (next != null && ctx.channel().isActive()) {
      try {
        channelRead0(ctx, next);
      } finally {
        next.release();
      }
    } else if (next != null) {
      next.release();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    stopWaiting();
    if (queued != null) {
      queued.release();
      queued = null;
    }
    if (stream != null) {
      stream.cancel("the HTTP client closed the connection");
    }
    if (pending != null) {
      pending.cancel(true);
    }
    ctx.fireChannelInactive();
  }

  static HttpRoutes.Response ok(String json) {
    return json(200, json, true);
  }

  static HttpRoutes.Response error(Status s) {
    return json(JsonMapping.httpStatus(s.getCode()), JsonMapping.error(s), false);
  }

  private static HttpRoutes.Response json(int status, String body, boolean grpcOk) {
    return new HttpRoutes.Response(status, JSON, body.getBytes(StandardCharsets.UTF_8),
        grpcOk ? Map.of("Grpc-Metadata-Content-Type", "application/grpc") : Map.of());
  }

  /** etcd's client port answers with these (its CORS wrapper's defaults). */
  static Map<String, String> corsHeaders() {
    return Map.of("Access-Control-Allow-Origin", "*",
        "Access-Control-Allow-Methods", "POST, GET, OPTIONS, PUT, DELETE",
        "Access-Control-Allow-Headers", "accept, content-type, authorization");
  }

  private static String path(String uri) {
    try {
      String p = URI.create(uri).getRawPath();
      return p == null ? "" : p;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Written on this connection's event loop; reading resumes after (keep-alive). */
  static void write(ChannelHandlerContext ctx, HttpRoutes.Response r, boolean keepAlive) {
    FullHttpResponse res = response(r, keepAlive);
    if (keepAlive) {
      ctx.writeAndFlush(res);
      ctx.channel().config().setAutoRead(true);
    } else {
      ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** {@code r} as Netty's response, with the headers every answer of the client port has. */
  static FullHttpResponse response(HttpRoutes.Response r, boolean keepAlive) {
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(r.status()), Unpooled.wrappedBuffer(r.body()));
    HttpHeaders h = res.headers();
    corsHeaders().forEach(h::set); // etcd's client port answers every path with them
    if (r.contentType() != null) {
      h.set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
    }
    h.setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
    r.headers().forEach(h::set);
    if (r.status() >= 400 && !JSON.equals(r.contentType())) {
      h.set("X-Content-Type-Options", "nosniff"); // as Go's http.Error
    }
    if (keepAlive) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    return res;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // a reset connection: nothing to answer
  }
}
