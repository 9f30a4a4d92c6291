package raft.kv.server;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import raft.kv.auth.AuthView;

/**
 * etcd's authMaintenanceServer for one call (Defragment, Snapshot, Hash, HashKV): the call
 * starts only once its caller is known to hold the root role (or auth is disabled); otherwise
 * it ends with etcd's refusal (user name is empty, user name not found, permission denied,
 * invalid auth token) and the service never sees it. The request is held meanwhile: a unary
 * or server-streaming call has one message and a half-close.
 */
final class RootOnly<Q, R> implements ServerCallHandler<Q, R> {
  private final ServerCallHandler<Q, R> next;
  private final Supplier<AuthView> view;
  private final CompletableFuture<Caller> caller;

  RootOnly(ServerCallHandler<Q, R> next, Supplier<AuthView> view,
      CompletableFuture<Caller> caller) {
    this.next = next;
    this.view = view;
    this.caller = caller;
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

  @Override
  public ServerCall.Listener<Q> startCall(ServerCall<Q, R> call, Metadata headers) {
    call.request(2); // as gRPC's unary and server-streaming handlers ask: the request, then more
    return new ServerCall.Listener<>() {
      private Q message;
      private volatile ServerCall.Listener<Q> started;

      @Override
      public void onMessage(Q m) {
        message = m;
      }

      @Override
      public void onHalfClose() {
        Context ctx = Context.current();
        caller.whenComplete((c, t) -> ctx.run(() -> {
          try {
            if (t != null) {
              throw t instanceof RuntimeException e ? e : new IllegalStateException(t);
            }
            c.permissions(view.get()).admin();
          } catch (RuntimeException refused) {
            call.close(asEtcdMaintenance(Errors.of(refused).getStatus()), new Metadata());
            return;
          }
          started = next.startCall(call, headers);
          if (message != null) {
            started.onMessage(message);
          }
          started.onHalfClose();
        }));
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
    };
  }
}
