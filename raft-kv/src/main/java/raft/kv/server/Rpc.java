package raft.kv.server;

import com.google.protobuf.Message;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import raft.kv.apply.ApplyResult;
import raft.kv.pb.InternalRequest;

/** Answers a unary call when a future completes, mapping failures to etcd's errors. */
final class Rpc {
  private Rpc() {}

  /**
   * Proposes a write and answers with its response, header completed; {@code kind} is the
   * result its request produces (ApplyResult.Put for a put...), which types the response. The
   * entry carries the caller (read here, on the call's thread): its permissions are checked
   * when it is applied. A token that does not resolve fails the call before proposing.
   */
  static <A extends ApplyResult.Applied<R>, R extends Message> void write(RaftGateway raft,
      Headers headers, InternalRequest.Builder request, Class<A> kind, StreamObserver<R> out) {
    CompletableFuture<Caller> caller = Caller.current();
    CompletableFuture<A> applied = caller.isDone() && !caller.isCompletedExceptionally()
        ? proposeNow(raft, request, caller.join(), kind)
        : caller.thenCompose(who -> raft.propose(request.setAuthHeader(who.header()), kind));
    reply(applied, a -> headers.complete(a.response()), out);
  }

  /**
   * What thenCompose does with a caller already known (the usual case: no token, or one
   * resolved by the interceptor), without its stage: a failure is the future's, as there.
   */
  private static <A extends ApplyResult.Applied<R>, R extends Message> CompletableFuture<A>
      proposeNow(RaftGateway raft, InternalRequest.Builder request, Caller who, Class<A> kind) {
    try {
      return raft.propose(request.setAuthHeader(who.header()), kind);
    } catch (RuntimeException | Error e) {
      return CompletableFuture.failedFuture(new CompletionException(e));
    }
  }

  /**
   * Answers with {@code toResponse(value)} once {@code future} completes, within the call's
   * share of the {@link ResponseBudget} when the server gives calls one.
   */
  static <T, R> void reply(CompletableFuture<T> future, Function<T, R> toResponse,
      StreamObserver<R> out) {
    ResponseBudget.Call budget = ResponseBudget.CALL.get(); // read on the call's own thread
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
      send(budget, response, out);
    });
  }

  /** Answers with a response built on the call's own thread, within the budget. */
  static <R> void answer(R response, StreamObserver<R> out) {
    send(ResponseBudget.CALL.get(), response, out);
  }

  private static <R> void send(ResponseBudget.Call budget, R response, StreamObserver<R> out) {
    Runnable send = () -> {
      out.onNext(response);
      out.onCompleted();
    };
    if (budget == null || !(response instanceof Message m)) {
      send.run();
    } else {
      budget.send(m.getSerializedSize(), send, out::onError);
    }
  }
}
