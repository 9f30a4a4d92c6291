package raft.kv.gateway;

import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.channel.ChannelFutureListener;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelPipeline;
import io.grpc.netty.shaded.io.netty.handler.codec.http.FullHttpMessage;
import io.grpc.netty.shaded.io.netty.handler.codec.http.FullHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpMessage;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpObjectAggregator;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpUtil;
import io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil;

/**
 * Collects a request's body up to a cap, as gRPC's max-request-bytes caps a message. Beyond
 * it the client gets what etcd's gateway answers a body its gRPC server refuses as too large
 * (429, code 8, gRPC's text) instead of Netty's bare 413, whether it sent the body at once or
 * waited for "100 Continue" (curl does for bodies over 1 KiB). The rest of the body is read
 * and dropped on a keep-alive connection (Netty's behaviour); otherwise the connection closes.
 */
final class BodyCap extends HttpObjectAggregator {
  BodyCap(int maxBodyBytes) {
    super(maxBodyBytes);
  }

  @Override
  protected Object newContinueResponse(HttpMessage start, int maxContentLength,
      ChannelPipeline pipeline) {
    Object netty = super.newContinueResponse(start, maxContentLength, pipeline);
    if (netty instanceof FullHttpResponse r && r.status().code() == 413) {
      ReferenceCountUtil.release(r);
      // Netty then drops the body the client may send anyway, as after its own 413.
      return tooLarge(start, maxContentLength, HttpUtil.isKeepAlive(start));
    }
    return netty;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    boolean keepAlive = !(oversized instanceof FullHttpMessage)
        && HttpUtil.isKeepAlive(oversized) && !HttpUtil.is100ContinueExpected(oversized);
    var written = ctx.writeAndFlush(tooLarge(oversized, maxContentLength(), keepAlive));
    written.addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE
        : ChannelFutureListener.CLOSE);
  }

  /** gRPC's error for a message over its cap; the body's length if the client gave it. */
  static FullHttpResponse tooLarge(HttpMessage request, int max, boolean keepAlive) {
    long length = HttpUtil.getContentLength(request, -1L);
    String size = length >= 0 ? length + " vs. " + max : "more than " + max;
    Status s = Status.RESOURCE_EXHAUSTED.withDescription(
        "grpc: received message larger than max (" + size + ")");
    return GatewayHandler.response(GatewayHandler.error(s), keepAlive);
  }
}
