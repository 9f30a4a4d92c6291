package raft.kv.auth;

import io.grpc.Status;

/**
 * A refusal for auth reasons, with etcd's exact message (rpctypes/error.go, e.g. "etcdserver:
 * permission denied") and the gRPC status code etcd uses for it. raft.kv.server.Errors turns it
 * into the status a client sees; nothing else does.
 */
public final class AuthException extends RuntimeException {
  private final Status.Code code;

  public AuthException(Status.Code code, String etcdMessage) {
    super(etcdMessage, null, false, false); // a refusal, not a bug: no stack trace to fill
    this.code = code;
  }

  public Status.Code code() {
    return code;
  }

  // etcd 3.4's rpctypes/error.go, code and text for each of auth/store.go's errors.

  public static AuthException rootUserNotExist() {
    return new AuthException(Status.Code.FAILED_PRECONDITION,
        "etcdserver: root user does not exist");
  }

  public static AuthException rootRoleNotExist() {
    return new AuthException(Status.Code.FAILED_PRECONDITION,
        "etcdserver: root user does not have root role");
  }

  public static AuthException userAlreadyExist() {
    return new AuthException(Status.Code.FAILED_PRECONDITION,
        "etcdserver: user name already exists");
  }

  public static AuthException userEmpty() {
    return new AuthException(Status.Code.INVALID_ARGUMENT, "etcdserver: user name is empty");
  }

  public static AuthException userNotFound() {
    return new AuthException(Status.Code.FAILED_PRECONDITION, "etcdserver: user name not found");
  }

  public static AuthException roleAlreadyExist() {
    return new AuthException(Status.Code.FAILED_PRECONDITION,
        "etcdserver: role name already exists");
  }

  public static AuthException roleNotFound() {
    return new AuthException(Status.Code.FAILED_PRECONDITION, "etcdserver: role name not found");
  }

  public static AuthException roleEmpty() {
    return new AuthException(Status.Code.INVALID_ARGUMENT, "etcdserver: role name is empty");
  }

  public static AuthException authFailed() {
    return new AuthException(Status.Code.INVALID_ARGUMENT,
        "etcdserver: authentication failed, invalid user ID or password");
  }

  /**
   * etcd 3.4 has no rpctypes entry for auth.ErrNoPasswordUser, so its gRPC layer sends the
   * store's own text with code Unknown; we do the same.
   */
  public static AuthException noPasswordUser() {
    return new AuthException(Status.Code.UNKNOWN,
        "auth: authentication failed, password was given for no password user");
  }

  public static AuthException permissionDenied() {
    return new AuthException(Status.Code.PERMISSION_DENIED, "etcdserver: permission denied");
  }

  public static AuthException roleNotGranted() {
    return new AuthException(Status.Code.FAILED_PRECONDITION,
        "etcdserver: role is not granted to the user");
  }

  public static AuthException permissionNotGranted() {
    return new AuthException(Status.Code.FAILED_PRECONDITION,
        "etcdserver: permission is not granted to the role");
  }

  public static AuthException authNotEnabled() {
    return new AuthException(Status.Code.FAILED_PRECONDITION,
        "etcdserver: authentication is not enabled");
  }

  public static AuthException invalidAuthToken() {
    return new AuthException(Status.Code.UNAUTHENTICATED, "etcdserver: invalid auth token");
  }

  public static AuthException invalidAuthMgmt() {
    return new AuthException(Status.Code.INVALID_ARGUMENT, "etcdserver: invalid auth management");
  }

  public static AuthException authOldRevision() {
    return new AuthException(Status.Code.INVALID_ARGUMENT,
        "etcdserver: revision of auth store is old");
  }

  /** etcd's ErrTooManyRequests: the member's password checking is saturated. */
  public static AuthException tooManyRequests() {
    return new AuthException(Status.Code.RESOURCE_EXHAUSTED, "etcdserver: too many requests");
  }
}
