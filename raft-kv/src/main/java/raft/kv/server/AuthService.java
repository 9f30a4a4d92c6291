package raft.kv.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import raft.kv.api.etcdserverpb.AuthDisableRequest;
import raft.kv.api.etcdserverpb.AuthDisableResponse;
import raft.kv.api.etcdserverpb.AuthEnableRequest;
import raft.kv.api.etcdserverpb.AuthEnableResponse;
import raft.kv.api.etcdserverpb.AuthGrpc;
import raft.kv.api.etcdserverpb.AuthRoleAddRequest;
import raft.kv.api.etcdserverpb.AuthRoleAddResponse;
import raft.kv.api.etcdserverpb.AuthRoleDeleteRequest;
import raft.kv.api.etcdserverpb.AuthRoleDeleteResponse;
import raft.kv.api.etcdserverpb.AuthRoleGetRequest;
import raft.kv.api.etcdserverpb.AuthRoleGetResponse;
import raft.kv.api.etcdserverpb.AuthRoleGrantPermissionRequest;
import raft.kv.api.etcdserverpb.AuthRoleGrantPermissionResponse;
import raft.kv.api.etcdserverpb.AuthRoleListRequest;
import raft.kv.api.etcdserverpb.AuthRoleListResponse;
import raft.kv.api.etcdserverpb.AuthRoleRevokePermissionRequest;
import raft.kv.api.etcdserverpb.AuthRoleRevokePermissionResponse;
import raft.kv.api.etcdserverpb.AuthUserAddRequest;
import raft.kv.api.etcdserverpb.AuthUserAddResponse;
import raft.kv.api.etcdserverpb.AuthUserChangePasswordRequest;
import raft.kv.api.etcdserverpb.AuthUserChangePasswordResponse;
import raft.kv.api.etcdserverpb.AuthUserDeleteRequest;
import raft.kv.api.etcdserverpb.AuthUserDeleteResponse;
import raft.kv.api.etcdserverpb.AuthUserGetRequest;
import raft.kv.api.etcdserverpb.AuthUserGetResponse;
import raft.kv.api.etcdserverpb.AuthUserGrantRoleRequest;
import raft.kv.api.etcdserverpb.AuthUserGrantRoleResponse;
import raft.kv.api.etcdserverpb.AuthUserListRequest;
import raft.kv.api.etcdserverpb.AuthUserListResponse;
import raft.kv.api.etcdserverpb.AuthUserRevokeRoleRequest;
import raft.kv.api.etcdserverpb.AuthUserRevokeRoleResponse;
import raft.kv.api.etcdserverpb.AuthenticateRequest;
import raft.kv.api.etcdserverpb.AuthenticateResponse;
import raft.kv.apply.ApplyResult;
import raft.kv.auth.AuthView;
import raft.kv.auth.PasswordChecker;
import raft.kv.auth.TokenKeeper;
import raft.kv.pb.AuthHeader;
import raft.kv.pb.InternalAuthenticateRequest;
import raft.kv.pb.InternalRequest;
import raft.kv.pb.InternalUserAddRequest;
import raft.kv.pb.InternalUserChangePasswordRequest;

/**
 * etcd 3.4's Auth service. Every call is an entry in the log, applied by raft.kv.auth.AuthStore
 * on every member (etcd proposes them all, the gets and lists too, so they are linearizable);
 * the entry carries who asks, and the root-only rules are checked when it is applied. Passwords
 * never enter the log: UserAdd and UserChangePassword propose a bcrypt hash made here, and
 * Authenticate checks the password here, then proposes the token's random part.
 */
final class AuthService extends AuthGrpc.AuthImplBase {
  /** etcd retries an Authenticate whose password was checked at a stale revision; we bound it. */
  private static final int AUTHENTICATE_TRIES = 3;

  private final RaftGateway raft;
  private final Headers headers;
  private final Supplier<AuthView> view;
  private final PasswordChecker passwords;

  AuthService(RaftGateway raft, Headers headers, Supplier<AuthView> view,
      PasswordChecker passwords) {
    this.raft = raft;
    this.headers = headers;
    this.view = view;
    this.passwords = passwords;
  }

  @Override
  public void authEnable(AuthEnableRequest r, StreamObserver<AuthEnableResponse> out) {
    write(InternalRequest.newBuilder().setAuthEnable(r), AuthEnableResponse.class, out);
  }

  @Override
  public void authDisable(AuthDisableRequest r, StreamObserver<AuthDisableResponse> out) {
    write(InternalRequest.newBuilder().setAuthDisable(r), AuthDisableResponse.class, out);
  }

  /** etcd's Authenticate: a linearizable read, the password check, then the token's entry. */
  @Override
  public void authenticate(AuthenticateRequest r, StreamObserver<AuthenticateResponse> out) {
    CompletableFuture<AuthHeader> caller = caller();
    Rpc.reply(raft.linearizableBarrier().thenCompose(v -> authenticate(r, caller, 1)),
        resp -> resp, out);
  }

  private CompletableFuture<AuthenticateResponse> authenticate(AuthenticateRequest r,
      CompletableFuture<AuthHeader> caller, int attempt) {
    return passwords.check(view.get(), r.getName(), r.getPassword()).thenCompose(checkedAt -> {
      InternalRequest.Builder entry = InternalRequest.newBuilder().setAuthenticate(
          InternalAuthenticateRequest.newBuilder().setName(r.getName())
              .setSimpleToken(TokenKeeper.newPrefix()));
      return propose(entry, caller, AuthenticateResponse.class).thenCompose(resp ->
          // A change between the check and the entry (a new password...): check again.
          checkedAt == view.get().revision() || attempt >= AUTHENTICATE_TRIES
              ? CompletableFuture.completedFuture(resp) : authenticate(r, caller, attempt + 1));
    });
  }

  @Override
  public void userAdd(AuthUserAddRequest r, StreamObserver<AuthUserAddResponse> out) {
    CompletableFuture<AuthHeader> caller = caller();
    boolean noPassword = r.getOptions().getNoPassword();
    CompletableFuture<ByteString> hash = noPassword
        ? CompletableFuture.completedFuture(ByteString.EMPTY) : passwords.hash(r.getPassword());
    Rpc.reply(hash.thenCompose(h -> propose(InternalRequest.newBuilder().setAuthUserAdd(
        InternalUserAddRequest.newBuilder().setName(r.getName()).setHashedPassword(h)
            .setOptions(r.getOptions())), caller, AuthUserAddResponse.class)), x -> x, out);
  }

  @Override
  public void userGet(AuthUserGetRequest r, StreamObserver<AuthUserGetResponse> out) {
    write(InternalRequest.newBuilder().setAuthUserGet(r), AuthUserGetResponse.class, out);
  }

  @Override
  public void userList(AuthUserListRequest r, StreamObserver<AuthUserListResponse> out) {
    write(InternalRequest.newBuilder().setAuthUserList(r), AuthUserListResponse.class, out);
  }

  @Override
  public void userDelete(AuthUserDeleteRequest r, StreamObserver<AuthUserDeleteResponse> out) {
    write(InternalRequest.newBuilder().setAuthUserDelete(r), AuthUserDeleteResponse.class, out);
  }

  @Override
  public void userChangePassword(AuthUserChangePasswordRequest r,
      StreamObserver<AuthUserChangePasswordResponse> out) {
    CompletableFuture<AuthHeader> caller = caller();
    Rpc.reply(passwords.hash(r.getPassword()).thenCompose(h -> propose(
        InternalRequest.newBuilder().setAuthUserChangePassword(
            InternalUserChangePasswordRequest.newBuilder().setName(r.getName())
                .setHashedPassword(h)), caller, AuthUserChangePasswordResponse.class)),
        x -> x, out);
  }

  @Override
  public void userGrantRole(AuthUserGrantRoleRequest r,
      StreamObserver<AuthUserGrantRoleResponse> out) {
    write(InternalRequest.newBuilder().setAuthUserGrantRole(r),
        AuthUserGrantRoleResponse.class, out);
  }

  @Override
  public void userRevokeRole(AuthUserRevokeRoleRequest r,
      StreamObserver<AuthUserRevokeRoleResponse> out) {
    write(InternalRequest.newBuilder().setAuthUserRevokeRole(r),
        AuthUserRevokeRoleResponse.class, out);
  }

  @Override
  public void roleAdd(AuthRoleAddRequest r, StreamObserver<AuthRoleAddResponse> out) {
    write(InternalRequest.newBuilder().setAuthRoleAdd(r), AuthRoleAddResponse.class, out);
  }

  @Override
  public void roleGet(AuthRoleGetRequest r, StreamObserver<AuthRoleGetResponse> out) {
    write(InternalRequest.newBuilder().setAuthRoleGet(r), AuthRoleGetResponse.class, out);
  }

  @Override
  public void roleList(AuthRoleListRequest r, StreamObserver<AuthRoleListResponse> out) {
    write(InternalRequest.newBuilder().setAuthRoleList(r), AuthRoleListResponse.class, out);
  }

  @Override
  public void roleDelete(AuthRoleDeleteRequest r, StreamObserver<AuthRoleDeleteResponse> out) {
    write(InternalRequest.newBuilder().setAuthRoleDelete(r), AuthRoleDeleteResponse.class, out);
  }

  @Override
  public void roleGrantPermission(AuthRoleGrantPermissionRequest r,
      StreamObserver<AuthRoleGrantPermissionResponse> out) {
    write(InternalRequest.newBuilder().setAuthRoleGrantPermission(r),
        AuthRoleGrantPermissionResponse.class, out);
  }

  @Override
  public void roleRevokePermission(AuthRoleRevokePermissionRequest r,
      StreamObserver<AuthRoleRevokePermissionResponse> out) {
    write(InternalRequest.newBuilder().setAuthRoleRevokePermission(r),
        AuthRoleRevokePermissionResponse.class, out);
  }

  private <R extends Message> void write(InternalRequest.Builder entry, Class<R> type,
      StreamObserver<R> out) {
    Rpc.reply(propose(entry, caller(), type), x -> x, out);
  }

  /** Proposes an auth entry for {@code caller}; the applied response, header completed. */
  private <R extends Message> CompletableFuture<R> propose(InternalRequest.Builder entry,
      CompletableFuture<AuthHeader> caller, Class<R> type) {
    return caller.thenCompose(h -> raft.propose(entry.setAuthHeader(h), ApplyResult.Auth.class))
        .thenApply(applied -> type.cast(headers.complete(applied.response())));
  }

  /**
   * Who asks, read on the call's own thread: the {@link Caller} the call's token (or client
   * certificate) names, as {@link AuthInterceptor} resolved it; a token that does not resolve
   * fails the call with etcd's "invalid auth token" before anything is proposed.
   */
  private CompletableFuture<AuthHeader> caller() {
    return Caller.current().thenApply(Caller::header);
  }
}
