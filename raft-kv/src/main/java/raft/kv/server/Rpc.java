package raft.kv.server;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** Answers a unary call when a future completes, mapping failures to etcd's errors. */
final class Rpc {
  private Rpc() {}

  static <T, R> void reply(CompletableFuture<T> future, Function<T, R> toResponse,
      StreamObserver<R> out) {
    future.whenComplete((value, t) -> {
      if (t != null) {
        out.onError(Errors.of(t));
        return;
      }
      R response;
      try {
        response = toResponse.apply(value);
      } catch (RuntimeException e) {
        out.onError(Errors.of(e));
        return;
      }
      out.onNext(response);
      out.onCompleted();
    });
  }
}
