package raft.kv.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.CompletableFuture;

/**
 * Carries {@link HttpRoutes} over one HTTP/1.1 connection: keep-alive as the client asks, the
 * answer written on the connection's event loop whenever it is ready (a health check's read
 * completes on another thread). A request that Netty could not decode, or one too large, is
 * answered 400 or 413 and the connection closed.
 */
final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private final HttpRoutes routes;

  HttpHandler(HttpRoutes routes) {
    this.routes = routes;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (!req.decoderResult().isSuccess()) {
      write(ctx, HttpRoutes.Response.text(400, "400 Bad Request"), false);
      return;
    }
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    // One request at a time per connection: a pipelined request waits for the answer before
    // it (a health check may take a second), so answers keep their order.
    ctx.channel().config().setAutoRead(false);
    CompletableFuture<HttpRoutes.Response> answer;
    try {
      answer = routes.answer(req.method().name(), req.uri());
    } catch (RuntimeException e) { // a metric's callback failed: a 500, not a dropped connection
      answer = CompletableFuture.failedFuture(e);
    }
    answer.whenComplete((r, t) -> {
      HttpRoutes.Response out = t == null ? r
          : HttpRoutes.Response.text(500, "500 Internal Server Error\n");
      ctx.executor().execute(() -> write(ctx, out, keepAlive));
    });
  }

  private static void write(ChannelHandlerContext ctx, HttpRoutes.Response r, boolean keepAlive) {
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(r.status()), Unpooled.wrappedBuffer(r.body()));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType())
        .setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
    r.headers().forEach(res.headers()::set);
    if (r.status() >= 400) {
      res.headers().set("X-Content-Type-Options", "nosniff"); // as Go's http.Error
    }
    if (keepAlive) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(res);
      ctx.channel().config().setAutoRead(true);
    } else {
      ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // a reset connection or an idle timeout: nothing to answer
  }
}
