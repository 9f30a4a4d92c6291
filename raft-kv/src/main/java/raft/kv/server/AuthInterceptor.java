package raft.kv.server;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import raft.kv.api.etcdserverpb.AuthGrpc;
import raft.kv.api.etcdserverpb.MaintenanceGrpc;

/**
 * etcd's AuthInfoFromCtx as an interceptor: reads the token a client sends (metadata
 * {@code token}, as clientv3 sends it, or {@code authorization}, as etcd's JSON gateway passes
 * its Authorization header) and puts the {@link Caller} it names into the call's Context; a
 * client certificate's CN names the caller when there is no token (etcd's AuthInfoFromTLS with
 * --client-cert-auth). The checks themselves run where etcd runs them: reads on this member,
 * writes when their entry is applied, admin-only maintenance calls here.
 *
 * <p>As in etcd, a bad token fails only the calls that look at the caller (those that read,
 * write, watch, or need root); Status, MemberList, lease keep-alives answer anyway. Authenticate
 * needs no token, and our loopback-only Admin service is not etcd's.
 */
final class AuthInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> TOKEN =
      Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  /** etcd's authMaintenanceServer: these need the root role (Status and MoveLeader do not). */
  private static final Set<String> ROOT_ONLY = Set.of(
      MaintenanceGrpc.getDefragmentMethod().getFullMethodName(),
      MaintenanceGrpc.getSnapshotMethod().getFullMethodName(),
      MaintenanceGrpc.getHashMethod().getFullMethodName(),
      MaintenanceGrpc.getHashKVMethod().getFullMethodName());
  private static final String AUTHENTICATE =
      AuthGrpc.getAuthenticateMethod().getFullMethodName();

  private final Tokens tokens;

  AuthInterceptor(Tokens tokens) {
    this.tokens = tokens;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    if (method.equals(AUTHENTICATE) || method.startsWith("raftkvpb.Admin/")) {
      return next.startCall(call, headers);
    }
    CompletableFuture<Caller> caller = caller(call, headers);
    Context ctx = Context.current().withValue(Caller.KEY, caller);
    if (ROOT_ONLY.contains(method)) {
      return Contexts.interceptCall(ctx, call, headers,
          new RootOnly<>(next, tokens::view, caller));
    }
    return Contexts.interceptCall(ctx, call, headers, next);
  }

  private CompletableFuture<Caller> caller(ServerCall<?, ?> call, Metadata headers) {
    String token = headers.get(TOKEN);
    if (token == null) {
      token = headers.get(AUTHORIZATION);
    }
    if (token != null) {
      return tokens.resolve(token);
    }
    // The port asks for a certificate only with --client-cert-auth (etcd's condition too).
    return CompletableFuture.completedFuture(TlsPeerIdentity.commonName(call.getAttributes())
        .map(tokens::byCertificate).orElse(Caller.NONE));
  }
}
