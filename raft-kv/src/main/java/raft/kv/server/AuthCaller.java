package raft.kv.server;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import raft.kv.auth.AuthException;
import raft.kv.auth.TokenKeeper;

/**
 * The user an Auth service call's token names (metadata "token", as etcd's clients send it, or
 * "authorization", as its JSON gateway does), in the call's gRPC Context. A token this member
 * does not know (expired, from before a restart, made up) fails the call with etcd's
 * "etcdserver: invalid auth token", except Authenticate, which needs none. No token: no user
 * (refused by the root-only rules once auth is enabled).
 *
 * <p>Only on the Auth service: the interceptor on every service (with the read and write checks)
 * is raft.kv.server's enforcement (issue 17's authcheck), which supersedes this one.
 */
final class AuthCaller implements ServerInterceptor {
  private static final Context.Key<String> USER = Context.key("raftkv-auth-user");
  static final Metadata.Key<String> TOKEN =
      Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final TokenKeeper tokens;

  AuthCaller(TokenKeeper tokens) {
    this.tokens = tokens;
  }

  /** The current call's user; empty if it carried no token. */
  static String user() {
    String u = USER.get();
    return u == null ? "" : u;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    String token = headers.get(TOKEN);
    if (token == null) {
      token = headers.get(AUTHORIZATION);
    }
    if (token == null || call.getMethodDescriptor().getBareMethodName().equals("Authenticate")) {
      return next.startCall(call, headers);
    }
    String user = tokens.user(token).orElse(null);
    if (user == null) {
      call.close(Errors.refused(AuthException.invalidAuthToken()).getStatus(), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return Contexts.interceptCall(Context.current().withValue(USER, user), call, headers, next);
  }
}
