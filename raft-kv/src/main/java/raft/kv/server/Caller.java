package raft.kv.server;

import io.grpc.Context;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
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

  // NONE's header, built once: every write without auth carried a new one (~190 B per put).
  private static final AuthHeader NONE_HEADER = build("", 0);

  static final Context.Key<CompletableFuture<Caller>> KEY = Context.key("raftkv-caller");

  /** Resolves the call's token (or certificate) anew: a stream's later requests use it. */
  static final Context.Key<Supplier<CompletableFuture<Caller>>> RESOLVE =
      Context.key("raftkv-caller-resolve");

  /**
   * The call's token as sent (null without one): a follower forwards it with a MemberPromote to
   * the leader, so the leader checks the same caller.
   */
  static final Context.Key<String> TOKEN = Context.key("raftkv-token");

  /**
   * The current call's caller; read it on the call's own thread. A call that did not pass the
   * interceptor (in-process tests) is {@link #NONE}: refused everything once auth is enabled.
   */
  static CompletableFuture<Caller> current() {
    CompletableFuture<Caller> c = KEY.get();
    return c != null ? c : CompletableFuture.completedFuture(NONE);
  }

  /**
   * The current call's caller resolved now, as etcd resolves a Watch stream's token at each
   * create (a token revoked or expired since the stream opened is refused); read it on the
   * call's own thread. Without the interceptor: {@link #current()}.
   */
  static Supplier<CompletableFuture<Caller>> resolver() {
    Supplier<CompletableFuture<Caller>> r = RESOLVE.get();
    if (r != null) {
      return r;
    }
    CompletableFuture<Caller> c = current();
    return () -> c;
  }

  /** What the entry of this caller's write carries, so every member checks the same user. */
  AuthHeader header() {
    return revision == 0 && user.isEmpty() ? NONE_HEADER : build(user, revision);
  }

  private static AuthHeader build(String user, long revision) {
    return AuthHeader.newBuilder().setUsername(user).setAuthRevision(revision).build();
  }

  Permissions permissions(AuthView view) {
    return new Permissions(view, user, revision);
  }
}
