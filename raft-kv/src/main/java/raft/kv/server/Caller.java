package raft.kv.server;

import io.grpc.Context;
import java.util.concurrent.CompletableFuture;
import raft.kv.auth.AuthView;
import raft.kv.auth.Permissions;
import raft.kv.pb.AuthHeader;

/**
 * Who makes a call (etcd's AuthInfo): the user its token (or its client certificate) names and
 * the auth revision it was resolved at; {@link #NONE} without either. {@link AuthInterceptor}
 * puts it in the call's gRPC Context as a future: resolving a token another member issued may
 * have to wait until this member has applied that member's Authenticate entry.
 */
record Caller(String user, long revision) {
  static final Caller NONE = new Caller("", 0);

  static final Context.Key<CompletableFuture<Caller>> KEY = Context.key("raftkv-caller");

  /**
   * The current call's caller; read it on the call's own thread. A call that did not pass the
   * interceptor (in-process tests) is {@link #NONE}: refused everything once auth is enabled.
   */
  static CompletableFuture<Caller> current() {
    CompletableFuture<Caller> c = KEY.get();
    return c != null ? c : CompletableFuture.completedFuture(NONE);
  }

  /** What the entry of this caller's write carries, so every member checks the same user. */
  AuthHeader header() {
    return AuthHeader.newBuilder().setUsername(user).setAuthRevision(revision).build();
  }

  Permissions permissions(AuthView view) {
    return new Permissions(view, user, revision);
  }
}
