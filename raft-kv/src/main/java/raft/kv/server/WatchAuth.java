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
   * etcd 3.4's cancel reason for every refused create, whatever the cause (no user, a token
   * that no longer resolves, no read permission): isWatchPermitted answers only yes or no, and
   * the reason is rpctypes.ErrGRPCPermissionDenied.Error(), the gRPC error's Go string, which
   * clientv3 passes on whole (etcdctl prints "watch was canceled (rpc error: code = ...)").
   */
  static final String DENIED =
      "rpc error: code = PermissionDenied desc = etcdserver: permission denied";

  /**
   * Why this create is refused (the cancel reason), or empty if permitted. {@code failure}: the
   * caller's token did not resolve. The range is checked as written: etcd 3.4 turns a watch's
   * "\0" range end (from the key on) into a check of the key alone before it checks, which
   * lets a user watch keys it may not read; we check the whole range.
   */
  Optional<String> refusal(Caller caller, Throwable failure, WatchCreateRequest c) {
    if (failure != null) {
      return Optional.of(DENIED);
    }
    try {
      // Revision 0: the caller was resolved for this create, at the current auth revision.
      new Permissions(view.get(), caller.user(), 0).range(RangeRequest.newBuilder()
          .setKey(c.getKey()).setRangeEnd(c.getRangeEnd()).build());
      return Optional.empty();
    } catch (RuntimeException refused) {
      return Optional.of(DENIED);
    }
  }
}
