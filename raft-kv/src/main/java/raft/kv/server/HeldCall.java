package raft.kv.server;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * One unary or server-streaming call held until a check passes: it has one message and a
 * half-close, kept until {@code gate} completes; then {@code check} either names the handler
 * to start (the call goes on, on {@code executor}) or throws (the call ends with that refusal,
 * shaped by {@code shape}).
 */
final class HeldCall<Q, R> extends ServerCall.Listener<Q> {
  private final ServerCall<Q, R> call;
  private final Metadata headers;
  private final Supplier<ServerCallHandler<Q, R>> check;
  private final UnaryOperator<Status> shape;
  private final Executor executor;
  private final CompletableFuture<?> gate;
  private Q message;
  private volatile ServerCall.Listener<Q> started;

  HeldCall(ServerCall<Q, R> call, Metadata headers, Supplier<ServerCallHandler<Q, R>> check,
      UnaryOperator<Status> shape, Executor executor, CompletableFuture<?> gate) {
    this.call = call;
    this.headers = headers;
    this.check = check;
    this.shape = shape;
    this.executor = executor;
    this.gate = gate;
  }

  @Override
  public void onMessage(Q m) {
    message = m;
  }

  @Override
  public void onHalfClose() {
    Context ctx = Context.current();
    gate.whenCompleteAsync((x, t) -> ctx.run(this::go), executor);
  }

  private void go() {
    ServerCallHandler<Q, R> next;
    try {
      next = check.get();
    } catch (RuntimeException refused) { // Errors.of unwraps the join's CompletionException
      call.close(shape.apply(Errors.of(refused).getStatus()), new Metadata());
      return;
    }
    started = next.startCall(call, headers);
    if (message != null) {
      started.onMessage(message);
    }
    started.onHalfClose();
  }

  @Override
  public void onCancel() {
    if (started != null) {
      started.onCancel();
    }
  }

  @Override
  public void onComplete() {
    if (started != null) {
      started.onComplete();
    }
  }

  @Override
  public void onReady() {
    if (started != null) {
      started.onReady();
    }
  }
}
