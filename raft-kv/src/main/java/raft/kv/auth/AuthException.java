package raft.kv.auth;

/** TEMPORARY copy of the contract (authstore owns it). */
public final class AuthException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final io.grpc.Status.Code code;

  public AuthException(io.grpc.Status.Code code, String etcdMessage) {
    super(etcdMessage, null, false, false);
    this.code = code;
  }

  public io.grpc.Status.Code code() {
    return code;
  }
}
