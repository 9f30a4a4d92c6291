package raft.kv.server;

import java.util.Optional;
import java.util.function.Supplier;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.WatchCreateRequest;
import raft.kv.auth.AuthView;
import raft.kv.auth.Permissions;

/**
 * etcd 3.4's isWatchPermitted: a watch needs read permission on its range, checked once, when
 * it is created; a refused one is answered created and canceled at once, with the refusal as
 * the cancel reason (the stream stays open for other watches). As in etcd 3.4, a live
 * watch is not re-checked when its user's permissions are revoked later: it keeps its events.
 */
final class WatchAuth {
  private final Supplier<AuthView> view;

  WatchAuth(Supplier<AuthView> view) {
    this.view = view;
  }

  /**
   * Why this create is refused (the cancel reason), or empty if permitted. {@code failure}: the
   * caller's token did not resolve. The range is checked as written: etcd 3.4 turns a watch's
   * "\0" range end (from the key on) into a check of the key alone before it checks, which
   * lets a user watch keys it may not read; we check the whole range.
   */
  Optional<String> refusal(Caller caller, Throwable failure, WatchCreateRequest c) {
    try {
      if (failure != null) {
        throw failure instanceof RuntimeException e ? e : new IllegalStateException(failure);
      }
      // Revision 0: etcd resolves the stream's token again at each create, at the current auth
      // revision, so a stream opened before an auth change is not "old" for later creates.
      new Permissions(view.get(), caller.user(), 0).range(RangeRequest.newBuilder()
          .setKey(c.getKey()).setRangeEnd(c.getRangeEnd()).build());
      return Optional.empty();
    } catch (RuntimeException refused) {
      return Optional.of(goErrorString(Errors.of(refused).getStatus()));
    }
  }

  /**
   * etcd sets the cancel reason to its gRPC error's Error() string, "rpc error: code =
   * PermissionDenied desc = etcdserver: permission denied", and clientv3 passes it on whole
   * (etcdctl prints "watch was canceled (rpc error: code = ...)").
   */
  static String goErrorString(io.grpc.Status s) {
    StringBuilder code = new StringBuilder();
    for (String part : s.getCode().name().split("_")) {
      code.append(part.charAt(0)).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
    }
    return "rpc error: code = " + code + " desc = " + s.getDescription();
  }
}
