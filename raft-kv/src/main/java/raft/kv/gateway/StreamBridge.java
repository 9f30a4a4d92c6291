package raft.kv.gateway;

import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.ChannelFuture;
import io.grpc.netty.shaded.io.netty.channel.ChannelFutureListener;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.handler.codec.http.DefaultHttpContent;
import io.grpc.netty.shaded.io.netty.handler.codec.http.DefaultHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderNames;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpResponseStatus;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpUtil;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpVersion;
import io.grpc.netty.shaded.io.netty.handler.codec.http.LastHttpContent;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One streaming route's call (watch, lease keep-alive, snapshot) carried as grpc-gateway v1
 * streams it: status 200 and the headers with the first message, then one chunk per message,
 * {@code {"result":{...}}\n}; an error ends the stream with {@code {"error":{...}}\n} (or, before
 * any message, is the status and body of the answer).
 *
 * <p>Memory: the next message is asked of the call only once the previous one is written to
 * the socket, so a client that stops reading holds at most one message here; behind it the
 * call's own flow control holds the rest in the service, as for a gRPC client that stops
 * reading (the watch service then moves the watcher to its slow set, to catch up from history
 * once the client reads again).
 */
final class StreamBridge implements ClientResponseObserver<Message, Message> {
  private final ChannelHandlerContext ctx;
  private final Routes.Route route;
  private final boolean keepAlive;
  private final Runnable ended;
  private volatile ClientCallStreamObserver<Message> call;
  private boolean headerWritten; // on the event loop only
  /** Requests still to be answered before the half-close; -1: never half-closed. */
  private final AtomicInteger unanswered = new AtomicInteger(-1);
  private final AtomicBoolean halfClosed = new AtomicBoolean();

  StreamBridge(ChannelHandlerContext ctx, Routes.Route route, boolean keepAlive,
      Runnable ended) {
    this.ctx = ctx;
    this.route = route;
    this.keepAlive = keepAlive;
    this.ended = ended;
  }

  /** Sends the body's requests; reading the connection goes on, to see the client leave. */
  void start(Channel calls, List<Message> requests) {
    ClientCall<Message, Message> c = calls.newCall(route.method(), CallOptions.DEFAULT);
    if (route.method().getType().clientSendsOneMessage()) {
      ClientCalls.asyncServerStreamingCall(c,
          requests.isEmpty() ? route.prototype() : requests.get(0), this);
    } else {
      unanswered.set(route.halfCloseWhenAnswered() ? requests.size() : -1);
      var out = ClientCalls.asyncBidiStreamingCall(c, this);
      requests.forEach(out::onNext); // each may be answered at once, on this thread
      if (unanswered.get() == 0) {
        halfClose(); // nothing to wait for (an empty body)
      }
    }
    ctx.channel().config().setAutoRead(true);
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<Message> requestStream) {
    this.call = requestStream;
    requestStream.disableAutoRequestWithInitial(1);
  }

  @Override
  public void onNext(Message m) {
    if (unanswered.get() > 0 && unanswered.decrementAndGet() == 0) {
      halfClose();
    }
    // Called on the thread that sent it (the apply thread, for a live watch event): the JSON
    // is made on this connection's event loop, never on the apply thread.
    ctx.executor().execute(() -> {
      byte[] chunk = JsonMapping.result(m).getBytes(StandardCharsets.UTF_8);
      writeHeader(HttpResponseStatus.OK);
      ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(chunk)))
          .addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
              call.request(1); // written to the socket: the next one may come
            }
          });
    });
  }

  @Override
  public void onError(Throwable t) {
    Status s = Status.fromThrowable(t);
    byte[] chunk = JsonMapping.streamError(s).getBytes(StandardCharsets.UTF_8);
    ctx.executor().execute(() -> {
      if (!ctx.channel().isActive()) {
        return; // we cancelled it: the client left
      }
      writeHeader(HttpResponseStatus.valueOf(JsonMapping.httpStatus(s.getCode())));
      ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(chunk)));
      end();
    });
  }

  @Override
  public void onCompleted() {
    ctx.executor().execute(() -> {
      writeHeader(HttpResponseStatus.OK);
      end();
    });
  }

  /** Once: the last answer may arrive while the body's requests are still being sent. */
  private void halfClose() {
    if (halfClosed.compareAndSet(false, true)) {
      call.onCompleted();
    }
  }

  /** The client closed the connection: the call ends too (the watch is cancelled). */
  void cancel(String why) {
    ClientCallStreamObserver<Message> c = call;
    if (c != null) {
      c.cancel(why, null);
    }
  }

  private void writeHeader(HttpResponseStatus status) {
    if (headerWritten) {
      return;
    }
    headerWritten = true;
    HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
    GatewayHandler.corsHeaders().forEach(res.headers()::set);
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, GatewayHandler.JSON)
        .set("Grpc-Metadata-Content-Type", "application/grpc");
    HttpUtil.setTransferEncodingChunked(res, true);
    ctx.write(res);
  }

  private void end() {
    ended.run();
    ChannelFuture f = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    if (!keepAlive) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }
}
