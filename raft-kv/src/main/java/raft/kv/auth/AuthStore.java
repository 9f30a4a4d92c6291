package raft.kv.auth;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import raft.kv.api.authpb.Permission;
import raft.kv.api.authpb.Role;
import raft.kv.api.authpb.User;
import raft.kv.api.authpb.UserAddOptions;
import raft.kv.api.etcdserverpb.AuthDisableResponse;
import raft.kv.api.etcdserverpb.AuthEnableResponse;
import raft.kv.api.etcdserverpb.AuthRoleAddRequest;
import raft.kv.api.etcdserverpb.AuthRoleAddResponse;
import raft.kv.api.etcdserverpb.AuthRoleDeleteResponse;
import raft.kv.api.etcdserverpb.AuthRoleGetResponse;
import raft.kv.api.etcdserverpb.AuthRoleGrantPermissionRequest;
import raft.kv.api.etcdserverpb.AuthRoleGrantPermissionResponse;
import raft.kv.api.etcdserverpb.AuthRoleListResponse;
import raft.kv.api.etcdserverpb.AuthRoleRevokePermissionRequest;
import raft.kv.api.etcdserverpb.AuthRoleRevokePermissionResponse;
import raft.kv.api.etcdserverpb.AuthUserAddResponse;
import raft.kv.api.etcdserverpb.AuthUserChangePasswordResponse;
import raft.kv.api.etcdserverpb.AuthUserDeleteResponse;
import raft.kv.api.etcdserverpb.AuthUserGetResponse;
import raft.kv.api.etcdserverpb.AuthUserGrantRoleRequest;
import raft.kv.api.etcdserverpb.AuthUserGrantRoleResponse;
import raft.kv.api.etcdserverpb.AuthUserListResponse;
import raft.kv.api.etcdserverpb.AuthUserRevokeRoleRequest;
import raft.kv.api.etcdserverpb.AuthUserRevokeRoleResponse;
import raft.kv.api.etcdserverpb.AuthenticateResponse;
import raft.kv.pb.AuthSnapshot;
import raft.kv.pb.InternalAuthenticateRequest;
import raft.kv.pb.InternalRequest;
import raft.kv.pb.InternalUserAddRequest;
import raft.kv.pb.InternalUserChangePasswordRequest;

/**
 * etcd 3.4's auth store (auth/store.go), applied on the apply thread: the same rules, refusals
 * and revision steps. Each change builds a new immutable {@link AuthState} and publishes it
 * (volatile), so readers on other threads always see one whole revision.
 *
 * <p>Deterministic: passwords arrive hashed and tokens' random parts arrive in the entry, so
 * every member applies the same state. Only the {@link TokenKeeper} (in memory, per member) is
 * touched besides.
 */
public final class AuthStore {
  private final TokenKeeper tokens;
  private volatile AuthState state = AuthState.initial();
  // etcd's auth bucket has an "authEnabled" key once auth was first enabled (backups only).
  private boolean enabledFlagWritten;

  public AuthStore(TokenKeeper tokens) {
    this.tokens = tokens;
  }

  public AuthView view() {
    return state;
  }

  public TokenKeeper tokens() {
    return tokens;
  }

  /** Whether this entry is one of the auth requests {@link #apply} takes. */
  public static boolean isAuth(InternalRequest req) {
    int n = req.getRequestCase().getNumber();
    return n >= InternalRequest.AUTH_ENABLE_FIELD_NUMBER
        && n <= InternalRequest.AUTH_ROLE_REVOKE_PERMISSION_FIELD_NUMBER;
  }

  /**
   * Applies one auth entry at {@code index}, on behalf of {@code requester} (the entry's auth
   * header: who asked; empty when auth was off or for no one). Returns etcd's response without
   * its header, or throws {@link AuthException} and changes nothing.
   */
  public Message apply(InternalRequest req, long index, String requester) {
    if (AdminRule.needsAdmin(req)) {
      state.checkAdmin(requester); // etcd's authApplierV3.Apply: needAdminPermission
    }
    return switch (req.getRequestCase()) {
      case AUTH_ENABLE -> enable();
      case AUTH_DISABLE -> disable();
      case AUTHENTICATE -> authenticate(req.getAuthenticate(), index);
      case AUTH_USER_ADD -> userAdd(req.getAuthUserAdd());
      case AUTH_USER_DELETE -> userDelete(req.getAuthUserDelete().getName());
      case AUTH_USER_CHANGE_PASSWORD -> changePassword(req.getAuthUserChangePassword());
      case AUTH_USER_GRANT_ROLE -> grantRole(req.getAuthUserGrantRole());
      case AUTH_USER_REVOKE_ROLE -> revokeRole(req.getAuthUserRevokeRole());
      case AUTH_USER_GET -> userGet(req.getAuthUserGet().getName(), requester);
      case AUTH_USER_LIST -> AuthUserListResponse.newBuilder()
          .addAllUsers(state.users().keySet()).build();
      case AUTH_ROLE_ADD -> roleAdd(req.getAuthRoleAdd());
      case AUTH_ROLE_DELETE -> roleDelete(req.getAuthRoleDelete().getRole());
      case AUTH_ROLE_GET -> roleGet(req.getAuthRoleGet().getRole(), requester);
      case AUTH_ROLE_LIST -> AuthRoleListResponse.newBuilder()
          .addAllRoles(state.roles().keySet()).build();
      case AUTH_ROLE_GRANT_PERMISSION -> grantPermission(req.getAuthRoleGrantPermission());
      case AUTH_ROLE_REVOKE_PERMISSION -> revokePermission(req.getAuthRoleRevokePermission());
      default -> throw new IllegalArgumentException("not an auth request: "
          + req.getRequestCase());
    };
  }

  // etcd's AuthEnable: needs root with the root role; does not step the revision.
  private Message enable() {
    AuthState s = state;
    if (!s.enabled()) {
      User root = s.user(AuthState.ROOT).orElseThrow(AuthException::rootUserNotExist);
      if (!root.getRolesList().contains(AuthState.ROOT)) {
        throw AuthException.rootRoleNotExist();
      }
      state = s.with(true, s.revision(), s.users(), s.roles());
      enabledFlagWritten = true;
    }
    return AuthEnableResponse.getDefaultInstance();
  }

  private Message disable() {
    AuthState s = state;
    if (s.enabled()) {
      state = s.with(false, s.revision() + 1, s.users(), s.roles());
      tokens.clear();
    }
    return AuthDisableResponse.getDefaultInstance();
  }

  // The password was checked before proposing (etcd does the same in its API layer).
  private Message authenticate(InternalAuthenticateRequest r, long index) {
    AuthState s = state;
    if (!s.enabled()) {
      throw AuthException.authNotEnabled();
    }
    User u = s.user(r.getName()).orElseThrow(AuthException::authFailed);
    if (u.getOptions().getNoPassword()) {
      throw AuthException.authFailed();
    }
    String token = TokenKeeper.token(r.getSimpleToken(), index);
    tokens.register(r.getName(), token, index);
    return AuthenticateResponse.newBuilder().setToken(token).build();
  }

  private Message userAdd(InternalUserAddRequest r) {
    if (r.getName().isEmpty()) {
      throw AuthException.userEmpty();
    }
    AuthState s = state;
    if (s.users().containsKey(r.getName())) {
      throw AuthException.userAlreadyExist();
    }
    boolean noPassword = r.getOptions().getNoPassword();
    User u = User.newBuilder().setName(ByteString.copyFromUtf8(r.getName()))
        .setPassword(noPassword ? ByteString.EMPTY : r.getHashedPassword())
        .setOptions(UserAddOptions.newBuilder().setNoPassword(noPassword)).build();
    putUser(s, u);
    return AuthUserAddResponse.getDefaultInstance();
  }

  private Message userDelete(String name) {
    AuthState s = state;
    if (s.enabled() && name.equals(AuthState.ROOT)) {
      throw AuthException.invalidAuthMgmt();
    }
    if (!s.users().containsKey(name)) {
      throw AuthException.userNotFound();
    }
    SortedMap<String, User> users = new TreeMap<>(s.users());
    users.remove(name);
    state = s.with(s.enabled(), s.revision() + 1, users, s.roles());
    tokens.invalidateUser(name);
    return AuthUserDeleteResponse.getDefaultInstance();
  }

  private Message changePassword(InternalUserChangePasswordRequest r) {
    AuthState s = state;
    User u = s.user(r.getName()).orElseThrow(AuthException::userNotFound);
    putUser(s, u.toBuilder().setPassword(r.getHashedPassword()).build());
    tokens.invalidateUser(r.getName());
    return AuthUserChangePasswordResponse.getDefaultInstance();
  }

  // etcd: "root" may be granted without a role of that name; granting twice changes nothing.
  private Message grantRole(AuthUserGrantRoleRequest r) {
    AuthState s = state;
    User u = s.user(r.getUser()).orElseThrow(AuthException::userNotFound);
    if (!r.getRole().equals(AuthState.ROOT) && !s.roles().containsKey(r.getRole())) {
      throw AuthException.roleNotFound();
    }
    if (u.getRolesList().contains(r.getRole())) {
      return AuthUserGrantRoleResponse.getDefaultInstance();
    }
    List<String> roles = new ArrayList<>(u.getRolesList());
    roles.add(r.getRole());
    roles.sort(null);
    putUser(s, u.toBuilder().clearRoles().addAllRoles(roles).build());
    return AuthUserGrantRoleResponse.getDefaultInstance();
  }

  private Message revokeRole(AuthUserRevokeRoleRequest r) {
    AuthState s = state;
    if (s.enabled() && r.getName().equals(AuthState.ROOT) && r.getRole().equals(AuthState.ROOT)) {
      throw AuthException.invalidAuthMgmt();
    }
    User u = s.user(r.getName()).orElseThrow(AuthException::userNotFound);
    List<String> roles = new ArrayList<>(u.getRolesList());
    if (!roles.remove(r.getRole())) {
      throw AuthException.roleNotGranted();
    }
    putUser(s, u.toBuilder().clearRoles().addAllRoles(roles).build());
    return AuthUserRevokeRoleResponse.getDefaultInstance();
  }

  // etcd's authApplierV3.UserGet: an admin, or the user itself.
  private Message userGet(String name, String requester) {
    AuthState s = state;
    try {
      s.checkAdmin(requester);
    } catch (AuthException e) {
      if (!name.equals(requester)) {
        throw e;
      }
    }
    User u = s.user(name).orElseThrow(AuthException::userNotFound);
    return AuthUserGetResponse.newBuilder().addAllRoles(u.getRolesList()).build();
  }

  private Message roleAdd(AuthRoleAddRequest r) {
    if (r.getName().isEmpty()) {
      throw AuthException.roleEmpty();
    }
    AuthState s = state;
    if (s.roles().containsKey(r.getName())) {
      throw AuthException.roleAlreadyExist();
    }
    putRole(s, Role.newBuilder().setName(ByteString.copyFromUtf8(r.getName())).build());
    return AuthRoleAddResponse.getDefaultInstance();
  }

  // etcd: the role goes, and so does every user's grant of it.
  private Message roleDelete(String name) {
    AuthState s = state;
    if (s.enabled() && name.equals(AuthState.ROOT)) {
      throw AuthException.invalidAuthMgmt();
    }
    if (!s.roles().containsKey(name)) {
      throw AuthException.roleNotFound();
    }
    SortedMap<String, Role> roles = new TreeMap<>(s.roles());
    roles.remove(name);
    SortedMap<String, User> users = new TreeMap<>(s.users());
    users.replaceAll((n, u) -> u.getRolesList().contains(name) ? u.toBuilder().clearRoles()
        .addAllRoles(u.getRolesList().stream().filter(x -> !x.equals(name)).toList()).build()
        : u);
    state = s.with(s.enabled(), s.revision() + 1, users, roles);
    return AuthRoleDeleteResponse.getDefaultInstance();
  }

  // etcd's authApplierV3.RoleGet: an admin, or a holder of the role.
  private Message roleGet(String name, String requester) {
    AuthState s = state;
    try {
      s.checkAdmin(requester);
    } catch (AuthException e) {
      if (!s.hasRole(requester, name)) {
        throw e;
      }
    }
    Role role = s.roles().get(name);
    if (role == null) {
      throw AuthException.roleNotFound();
    }
    return AuthRoleGetResponse.newBuilder().addAllPerm(role.getKeyPermissionList()).build();
  }

  private Message grantPermission(AuthRoleGrantPermissionRequest r) {
    AuthState s = state;
    Role role = s.roles().get(r.getName());
    if (role == null) {
      throw AuthException.roleNotFound();
    }
    putRole(s, RolePerms.grant(role, r.getPerm()));
    return AuthRoleGrantPermissionResponse.getDefaultInstance();
  }

  private Message revokePermission(AuthRoleRevokePermissionRequest r) {
    AuthState s = state;
    Role role = s.roles().get(r.getRole());
    if (role == null) {
      throw AuthException.roleNotFound();
    }
    List<Permission> kept = role.getKeyPermissionList().stream()
        .filter(p -> !p.getKey().equals(r.getKey()) || !p.getRangeEnd().equals(r.getRangeEnd()))
        .toList();
    if (kept.size() == role.getKeyPermissionCount()) {
      throw AuthException.permissionNotGranted();
    }
    putRole(s, role.toBuilder().clearKeyPermission().addAllKeyPermission(kept).build());
    return AuthRoleRevokePermissionResponse.getDefaultInstance();
  }

  private void putUser(AuthState s, User u) {
    SortedMap<String, User> users = new TreeMap<>(s.users());
    users.put(u.getName().toStringUtf8(), u);
    state = s.with(s.enabled(), s.revision() + 1, users, s.roles());
  }

  private void putRole(AuthState s, Role r) {
    SortedMap<String, Role> roles = new TreeMap<>(s.roles());
    roles.put(r.getName().toStringUtf8(), r);
    state = s.with(s.enabled(), s.revision() + 1, s.users(), roles);
  }

  /**
   * Writes the state as KvState's auth field, unless it is a new store's (restoring a snapshot
   * without the field gives a new store): a store that never used auth snapshots as before.
   */
  public void writeTo(com.google.protobuf.CodedOutputStream out, int field)
      throws java.io.IOException {
    AuthState s = state;
    if (s.enabled() || enabledFlagWritten || s.revision() != 1 || !s.users().isEmpty()
        || !s.roles().isEmpty()) {
      out.writeMessage(field, toSnapshot());
    }
  }

  /** The state for a snapshot (and etcd's auth buckets in a backup). */
  public AuthSnapshot toSnapshot() {
    AuthState s = state;
    return AuthSnapshot.newBuilder().setEnabled(s.enabled()).setRevision(s.revision())
        .addAllUsers(s.users().values()).addAllRoles(s.roles().values())
        .setEnabledFlagWritten(enabledFlagWritten).build();
  }

  /**
   * Replaces the state with a snapshot's ({@code present} false: a snapshot from before auth,
   * so a new store). Tokens end if auth is off afterwards, and so do those of users the
   * snapshot no longer has or whose password it changed (what the skipped entries would have
   * done, as UserDelete and UserChangePassword do when applied).
   */
  public void restore(AuthSnapshot snap, boolean present) {
    SortedMap<String, User> before = state.users();
    replace(snap, present);
    SortedMap<String, User> after = state.users();
    before.forEach((name, u) -> {
      User now = after.get(name);
      if (now == null || !now.getPassword().equals(u.getPassword())) {
        tokens.invalidateUser(name);
      }
    });
  }

  private void replace(AuthSnapshot snap, boolean present) {
    enabledFlagWritten = present && (snap.getEnabledFlagWritten() || snap.getEnabled());
    if (!present) {
      state = AuthState.initial();
    } else {
      SortedMap<String, User> users = new TreeMap<>();
      snap.getUsersList().forEach(u -> users.put(u.getName().toStringUtf8(), u));
      SortedMap<String, Role> roles = new TreeMap<>();
      snap.getRolesList().forEach(r -> roles.put(r.getName().toStringUtf8(), r));
      state = new AuthState(snap.getEnabled(), Math.max(1, snap.getRevision()), users, roles);
    }
    if (!state.enabled()) {
      tokens.clear();
    }
  }
}
