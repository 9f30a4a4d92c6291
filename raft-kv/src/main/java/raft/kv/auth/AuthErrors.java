package raft.kv.auth;

import io.grpc.Status;

/**
 * The auth refusals that enforcement raises itself (the store raises the others), with etcd
 * 3.4's codes and texts (etcdserver/api/v3rpc/rpctypes/error.go).
 */
public final class AuthErrors {
  private AuthErrors() {}

  /** A token this member does not know: never issued, expired (5 min idle), or from before a
   *  restart or an auth disable. clientv3 re-authenticates once on it. */
  public static AuthException invalidToken() {
    return new AuthException(Status.Code.UNAUTHENTICATED, "etcdserver: invalid auth token");
  }

  /** The auth state changed between resolving the token and applying (or answering) the
   *  request; clientv3 re-authenticates and retries. */
  public static AuthException oldRevision() {
    return new AuthException(Status.Code.INVALID_ARGUMENT,
        "etcdserver: revision of auth store is old");
  }

  public static AuthException permissionDenied() {
    return new AuthException(Status.Code.PERMISSION_DENIED, "etcdserver: permission denied");
  }

  public static AuthException userEmpty() {
    return new AuthException(Status.Code.INVALID_ARGUMENT, "etcdserver: user name is empty");
  }
}
