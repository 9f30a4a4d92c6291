package raft.kv.auth;

import raft.kv.pb.InternalRequest;

/** etcd's needAdminPermission (etcdserver/apply_auth.go): which auth entries need root. */
final class AdminRule {
  private AdminRule() {}

  /**
   * Every change, and the lists. Not Authenticate (anyone with a password), and not UserGet
   * and RoleGet, which have their own rule (the user itself; a holder of the role).
   */
  static boolean needsAdmin(InternalRequest req) {
    return switch (req.getRequestCase()) {
      case AUTH_ENABLE, AUTH_DISABLE, AUTH_USER_ADD, AUTH_USER_DELETE, AUTH_USER_CHANGE_PASSWORD,
          AUTH_USER_GRANT_ROLE, AUTH_USER_REVOKE_ROLE, AUTH_ROLE_ADD,
          AUTH_ROLE_GRANT_PERMISSION, AUTH_ROLE_REVOKE_PERMISSION, AUTH_ROLE_DELETE,
          AUTH_USER_LIST, AUTH_ROLE_LIST -> true;
      default -> false;
    };
  }
}
