package raft.kv.server;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.function.BooleanSupplier;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.MaintenanceGrpc;
import raft.kv.api.etcdserverpb.RangeRequest;

/**
 * etcd's learner gate (v3rpc/interceptor.go): a learner is not in any quorum and may be far
 * behind, so it answers only what it can answer from its own state, a serializable Range and
 * Status; every other call, streams included, fails with etcd's "rpc not supported for
 * learner", and a client retries another endpoint. Our loopback-only Admin service is not
 * etcd's and is not gated.
 */
final class LearnerGate implements ServerInterceptor {
  private static final String RANGE = KVGrpc.getRangeMethod().getFullMethodName();
  private static final String STATUS = MaintenanceGrpc.getStatusMethod().getFullMethodName();

  private final BooleanSupplier isLearner;

  LearnerGate(BooleanSupplier isLearner) {
    this.isLearner = isLearner;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    if (!isLearner.getAsBoolean() || method.equals(STATUS)
        || method.startsWith("raftkvpb.Admin/")) {
      return next.startCall(call, headers);
    }
    if (!method.equals(RANGE)) {
      return refuse(call);
    }
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
        next.startCall(call, headers)) {
      private boolean refused;

      @Override
      public void onMessage(Q message) {
        if (message instanceof RangeRequest r && !r.getSerializable()) {
          refused = true;
          call.close(MemberErrors.notSupportedForLearner().getStatus(), new Metadata());
          return;
        }
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
          super.onHalfClose();
        }
      }
    };
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call) {
    call.close(MemberErrors.notSupportedForLearner().getStatus(), new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
