package raft.kv.auth;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import raft.kv.api.authpb.Permission;
import raft.kv.api.etcdserverpb.AuthDisableRequest;
import raft.kv.api.etcdserverpb.AuthEnableRequest;
import raft.kv.api.etcdserverpb.AuthRoleAddRequest;
import raft.kv.api.etcdserverpb.AuthRoleDeleteRequest;
import raft.kv.api.etcdserverpb.AuthRoleGetRequest;
import raft.kv.api.etcdserverpb.AuthRoleGrantPermissionRequest;
import raft.kv.api.etcdserverpb.AuthRoleListRequest;
import raft.kv.api.etcdserverpb.AuthRoleRevokePermissionRequest;
import raft.kv.api.etcdserverpb.AuthUserDeleteRequest;
import raft.kv.api.etcdserverpb.AuthUserGetRequest;
import raft.kv.api.etcdserverpb.AuthUserGrantRoleRequest;
import raft.kv.api.etcdserverpb.AuthUserListRequest;
import raft.kv.api.etcdserverpb.AuthUserRevokeRoleRequest;
import raft.kv.apply.ApplyResult;
import raft.kv.apply.KvStateMachine;
import raft.kv.lease.LeaseListener;
import raft.kv.pb.AuthHeader;
import raft.kv.pb.InternalAuthenticateRequest;
import raft.kv.pb.InternalRequest;
import raft.kv.pb.InternalUserAddRequest;
import raft.kv.pb.InternalUserChangePasswordRequest;

/**
 * A state machine fed auth entries as the log would feed them (one index after another), with
 * the result of each: what the tests of the auth rules drive. Hashes are made at cost 4 (the
 * rules do not look at them; cost-10 hashes are Passwords' own tests).
 */
final class AuthLog {
  final TokenKeeper tokens;
  final KvStateMachine sm;
  private ApplyResult last;
  private long index;

  AuthLog(TokenKeeper tokens) {
    this.tokens = tokens;
    this.sm = new KvStateMachine(2, (id, i, r) -> last = r, LeaseListener.NONE, tokens);
  }

  AuthLog() {
    this(new TokenKeeper());
  }

  /** Applies the entry as {@code user} asked it; its response, or throws its refusal. */
  Message as(String user, InternalRequest.Builder entry) {
    index++;
    entry.setId(index).setAuthHeader(AuthHeader.newBuilder().setUsername(user));
    sm.apply(index, 1, entry.build().toByteString());
    if (last instanceof ApplyResult.AuthRefused r) {
      throw r.error();
    }
    if (last instanceof ApplyResult.Auth a) {
      return a.response();
    }
    throw new AssertionError("not an auth result: " + last);
  }

  Message run(InternalRequest.Builder entry) {
    return as("", entry);
  }

  long lastIndex() {
    return index;
  }

  AuthView view() {
    return sm.auth();
  }

  static InternalRequest.Builder enable() {
    return InternalRequest.newBuilder().setAuthEnable(AuthEnableRequest.getDefaultInstance());
  }

  static InternalRequest.Builder disable() {
    return InternalRequest.newBuilder().setAuthDisable(AuthDisableRequest.getDefaultInstance());
  }

  static InternalRequest.Builder userAdd(String name, String password) {
    return InternalRequest.newBuilder().setAuthUserAdd(InternalUserAddRequest.newBuilder()
        .setName(name).setHashedPassword(Passwords.hash(password, 4)));
  }

  static InternalRequest.Builder userAddNoPassword(String name) {
    return InternalRequest.newBuilder().setAuthUserAdd(InternalUserAddRequest.newBuilder()
        .setName(name).setOptions(raft.kv.api.authpb.UserAddOptions.newBuilder()
            .setNoPassword(true)));
  }

  static InternalRequest.Builder userDelete(String name) {
    return InternalRequest.newBuilder().setAuthUserDelete(
        AuthUserDeleteRequest.newBuilder().setName(name));
  }

  static InternalRequest.Builder changePassword(String name, String password) {
    return InternalRequest.newBuilder().setAuthUserChangePassword(
        InternalUserChangePasswordRequest.newBuilder().setName(name)
            .setHashedPassword(Passwords.hash(password, 4)));
  }

  static InternalRequest.Builder grantRole(String user, String role) {
    return InternalRequest.newBuilder().setAuthUserGrantRole(
        AuthUserGrantRoleRequest.newBuilder().setUser(user).setRole(role));
  }

  static InternalRequest.Builder revokeRole(String user, String role) {
    return InternalRequest.newBuilder().setAuthUserRevokeRole(
        AuthUserRevokeRoleRequest.newBuilder().setName(user).setRole(role));
  }

  static InternalRequest.Builder userGet(String name) {
    return InternalRequest.newBuilder().setAuthUserGet(AuthUserGetRequest.newBuilder()
        .setName(name));
  }

  static InternalRequest.Builder userList() {
    return InternalRequest.newBuilder().setAuthUserList(AuthUserListRequest.getDefaultInstance());
  }

  static InternalRequest.Builder roleAdd(String name) {
    return InternalRequest.newBuilder().setAuthRoleAdd(AuthRoleAddRequest.newBuilder()
        .setName(name));
  }

  static InternalRequest.Builder roleDelete(String name) {
    return InternalRequest.newBuilder().setAuthRoleDelete(AuthRoleDeleteRequest.newBuilder()
        .setRole(name));
  }

  static InternalRequest.Builder roleGet(String name) {
    return InternalRequest.newBuilder().setAuthRoleGet(AuthRoleGetRequest.newBuilder()
        .setRole(name));
  }

  static InternalRequest.Builder roleList() {
    return InternalRequest.newBuilder().setAuthRoleList(AuthRoleListRequest.getDefaultInstance());
  }

  static InternalRequest.Builder grant(String role, Permission.Type type, String key,
      String rangeEnd) {
    return InternalRequest.newBuilder().setAuthRoleGrantPermission(
        AuthRoleGrantPermissionRequest.newBuilder().setName(role).setPerm(Permission.newBuilder()
            .setPermType(type).setKey(bytes(key)).setRangeEnd(bytes(rangeEnd))));
  }

  static InternalRequest.Builder revoke(String role, String key, String rangeEnd) {
    return InternalRequest.newBuilder().setAuthRoleRevokePermission(
        AuthRoleRevokePermissionRequest.newBuilder().setRole(role).setKey(bytes(key))
            .setRangeEnd(bytes(rangeEnd)));
  }

  static InternalRequest.Builder authenticate(String name, String prefix) {
    return InternalRequest.newBuilder().setAuthenticate(InternalAuthenticateRequest.newBuilder()
        .setName(name).setSimpleToken(prefix));
  }

  static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(s);
  }

  /** root with the root role, auth enabled: etcd's usual start. */
  AuthLog withRootEnabled() {
    run(userAdd("root", "rootpw"));
    run(grantRole("root", "root"));
    run(enable());
    return this;
  }
}
