package raft.kv.server;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import raft.kv.api.etcdserverpb.AuthGrpc;
import raft.kv.api.etcdserverpb.ClusterGrpc;
import raft.kv.api.etcdserverpb.MaintenanceGrpc;

/**
 * etcd's AuthInfoFromCtx as an interceptor: reads the token a client sends (metadata
 * {@code token}, as clientv3 sends it, or {@code authorization}, as etcd's JSON gateway passes
 * its Authorization header) and puts the {@link Caller} it names into the call's Context; a
 * client certificate's CN names the caller when there is no token (etcd's AuthInfoFromTLS with
 * --client-cert-auth). The checks themselves run where etcd runs them: reads on this member,
 * writes when their entry is applied, root-only maintenance and member calls here, on the
 * member that received the call.
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

  /**
   * The calls that need the root role, each with the shape of etcd's refusal: its
   * authMaintenanceServer (Status and MoveLeader are open) answers with the store's raw error;
   * its AddMember, RemoveMember, UpdateMember and PromoteMember (checkMembershipOperationPermission;
   * MemberList is open) through togRPCError.
   */
  private static final Map<String, UnaryOperator<Status>> ROOT_ONLY = Map.of(
      MaintenanceGrpc.getDefragmentMethod().getFullMethodName(), RootOnly::asEtcdMaintenance,
      MaintenanceGrpc.getSnapshotMethod().getFullMethodName(), RootOnly::asEtcdMaintenance,
      MaintenanceGrpc.getHashMethod().getFullMethodName(), RootOnly::asEtcdMaintenance,
      MaintenanceGrpc.getHashKVMethod().getFullMethodName(), RootOnly::asEtcdMaintenance,
      ClusterGrpc.getMemberAddMethod().getFullMethodName(), RootOnly::asEtcdGrpc,
      ClusterGrpc.getMemberRemoveMethod().getFullMethodName(), RootOnly::asEtcdGrpc,
      ClusterGrpc.getMemberUpdateMethod().getFullMethodName(), RootOnly::asEtcdGrpc,
      ClusterGrpc.getMemberPromoteMethod().getFullMethodName(), RootOnly::asEtcdGrpc);
  private static final String AUTHENTICATE =
      AuthGrpc.getAuthenticateMethod().getFullMethodName();
  private static final String PROMOTE = ClusterGrpc.getMemberPromoteMethod().getFullMethodName();

  /**
   * Where a held call goes on once its token resolved late (never the Raft or apply thread).
   * Two threads, not one per waiting call: a flood of calls with tokens this member has not
   * applied yet must not start a thread each; what waits here is only a task per call gRPC
   * already holds, so the queue is no bigger than the calls in flight.
   */
  static final Executor CONTINUE = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "auth-continue");
    t.setDaemon(true);
    return t;
  });

  private final Tokens tokens;
  private final Supplier<Set<String>> memberNames;

  /** {@code memberNames}: the current members' names, whose certificates forward promotes. */
  AuthInterceptor(Tokens tokens, Supplier<Set<String>> memberNames) {
    this.tokens = tokens;
    this.memberNames = memberNames;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    if (method.equals(AUTHENTICATE) || method.startsWith("raftkvpb.Admin/")) {
      return next.startCall(call, headers);
    }
    CompletableFuture<Caller> caller = caller(call, headers);
    // One context holding the three values, not a chain of three (one per call, ~100 B).
    Context ctx = Context.current().withValues(Caller.KEY, caller,
        Caller.RESOLVE, resolver(call, headers), Caller.TOKEN, token(headers));
    UnaryOperator<Status> shape = ROOT_ONLY.get(method);
    if (shape != null && !forwardedPromote(method, call)) {
      return Contexts.interceptCall(ctx, call, headers,
          new RootOnly<>(next, tokens::view, caller, shape, CONTINUE));
    }
    return Contexts.interceptCall(ctx, call, headers, next);
  }

  /**
   * A follower forwards a client's MemberPromote to the leader (LeaderForward) with its own
   * certificate: the check ran on the member that received the client's call (etcd forwards
   * over its peer port, where no auth applies), so a member's certificate passes here.
   */
  private boolean forwardedPromote(String method, ServerCall<?, ?> call) {
    return method.equals(PROMOTE) && TlsPeerIdentity.commonName(call.getAttributes())
        .filter(cn -> memberNames.get().contains(cn)).isPresent();
  }

  /** Resolves the call's credentials again, for a stream that checks each request anew. */
  private Supplier<CompletableFuture<Caller>> resolver(ServerCall<?, ?> call, Metadata headers) {
    return () -> caller(call, headers);
  }

  private static String token(Metadata headers) {
    String token = headers.get(TOKEN);
    return token != null ? token : headers.get(AUTHORIZATION);
  }

  private CompletableFuture<Caller> caller(ServerCall<?, ?> call, Metadata headers) {
    String token = token(headers);
    if (token != null) {
      return tokens.resolve(token);
    }
    // The port asks for a certificate only with --client-cert-auth (etcd's condition too).
    return CompletableFuture.completedFuture(TlsPeerIdentity.commonName(call.getAttributes())
        .map(tokens::byCertificate).orElse(Caller.NONE));
  }
}
