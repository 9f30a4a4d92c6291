package raft.kv.server;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Gives every call a share of the {@link ResponseBudget} (in the call's {@link Context}, where
 * {@link Rpc} finds it) and gives it back when gRPC has finished with the call: on
 * {@code onComplete} (the response and status were handed to the transport, which is only
 * after the client has taken every byte of the response: HTTP/2 flow control holds the rest
 * in this member) or {@code onCancel} (the client went away or its deadline passed).
 */
final class BudgetInterceptor implements ServerInterceptor {
  private final ResponseBudget budget;

  BudgetInterceptor(ResponseBudget budget) {
    this.budget = budget;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    ResponseBudget.Call share = budget.newCall(call.getMethodDescriptor().getFullMethodName());
    Context context = Context.current().withValue(ResponseBudget.CALL, share);
    ServerCall.Listener<Q> listener = Contexts.interceptCall(context, call, headers, next);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onComplete() {
        try {
          super.onComplete();
        } finally {
          share.finished();
        }
      }

      @Override
      public void onCancel() {
        try {
          super.onCancel();
        } finally {
          share.finished();
        }
      }
    };
  }
}
