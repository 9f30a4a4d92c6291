package raft.kv.server;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import raft.kv.api.etcdserverpb.MaintenanceGrpc;
import raft.kv.pb.AdminGrpc;

/**
 * A member that has stopped for good answers nothing but its status: a serializable read would
 * be served from a state that no longer advances, and a write would only wait for its timeout.
 * Every other call fails at once with etcd's "server stopped" and the cause. A member's process
 * exits moments later ({@link FatalExit}); an embedded member stays up like this, for inspection.
 */
final class StoppedGate implements ServerInterceptor {
  /** `cluster status` and `etcdctl endpoint status` still answer, and say why. */
  private static final Set<String> STATUS = Set.of(
      AdminGrpc.getNodeStatusMethod().getFullMethodName(),
      MaintenanceGrpc.getStatusMethod().getFullMethodName());

  private final Supplier<Optional<String>> failure;

  /** {@code failure}: why the member stopped, empty while it runs. */
  StoppedGate(Supplier<Optional<String>> failure) {
    this.failure = failure;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    Optional<String> why = failure.get();
    if (why.isEmpty() || STATUS.contains(call.getMethodDescriptor().getFullMethodName())) {
      return next.startCall(call, headers);
    }
    call.close(Errors.stopped(why.get()).getStatus(), new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
