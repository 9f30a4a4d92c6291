package raft.kv.server;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import raft.kv.auth.AuthView;

/**
 * A call that needs the root role: etcd's authMaintenanceServer (Defragment, Snapshot, Hash,
 * HashKV) and its checkMembershipOperationPermission (MemberAdd, MemberRemove, MemberUpdate,
 * MemberPromote). The call starts only once its caller is known to hold the root role (or auth
 * is disabled); otherwise it ends with etcd's refusal, in the shape etcd's clients see for that
 * call ({@link #asEtcdMaintenance} or {@link #asEtcdGrpc}), and the service never sees it.
 */
final class RootOnly<Q, R> implements ServerCallHandler<Q, R> {
  private final ServerCallHandler<Q, R> next;
  private final Supplier<AuthView> view;
  private final CompletableFuture<Caller> caller;
  private final UnaryOperator<Status> shape;
  private final Executor executor;

  /**
   * {@code executor}: where the call goes on when its caller was not known at once (the token's
   * barrier completes on the Raft loop or the apply thread, which must not run HashKV).
   */
  RootOnly(ServerCallHandler<Q, R> next, Supplier<AuthView> view,
      CompletableFuture<Caller> caller, UnaryOperator<Status> shape, Executor executor) {
    this.next = next;
    this.view = view;
    this.caller = caller;
    this.shape = shape;
    this.executor = executor;
  }

  /**
   * etcd's authMaintenanceServer returns the auth store's own error, not its gRPC one, so a
   * client sees code Unknown and the store's text ("auth: permission denied", as etcdctl
   * prints it); other failures (no leader...) pass as they are.
   */
  static Status asEtcdMaintenance(Status s) {
    String raw = switch (String.valueOf(s.getDescription())) {
      case "etcdserver: permission denied" -> "auth: permission denied";
      case "etcdserver: user name is empty" -> "auth: user name is empty";
      case "etcdserver: user name not found" -> "auth: user not found";
      case "etcdserver: invalid auth token" -> "auth: invalid auth token";
      default -> null;
    };
    return raw == null ? s : Status.UNKNOWN.withDescription(raw);
  }

  /**
   * etcd's member calls return their error through togRPCError, which maps the auth store's
   * errors to the gRPC ones ("etcdserver: permission denied", PermissionDenied...): ours as
   * they are.
   */
  static Status asEtcdGrpc(Status s) {
    return s;
  }

  @Override
  public ServerCall.Listener<Q> startCall(ServerCall<Q, R> call, Metadata headers) {
    call.request(2); // as gRPC's unary and server-streaming handlers ask: the request, then more
    return new HeldCall<>(call, headers, () -> {
      caller.join().permissions(view.get()).admin();
      return next;
    }, shape, caller.isDone() ? Runnable::run : executor, caller);
  }
}
