package raft.kv.mvcc;

import io.grpc.Status;

/**
 * A request the store refuses, with etcd's gRPC status code and its exact message string
 * (clientv3 and jetcd map the message text back to typed errors, so the text is the contract).
 * Thrown by {@link MvccStore} and {@code Lessor}; the apply layer hands it to the waiting client
 * as the result of the entry instead of letting it escape.
 */
public final class KvException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Status.Code code;

  public KvException(Status.Code code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public Status.Code code() {
    return code;
  }

  /** The gRPC status the server should answer with. */
  public Status toStatus() {
    return Status.fromCode(code).withDescription(getMessage());
  }

  // etcd's messages (api/v3rpc/rpctypes/error.go) and the codes it sends them with.
  public static KvException emptyKey() {
    return new KvException(Status.Code.INVALID_ARGUMENT, "etcdserver: key is not provided");
  }

  public static KvException keyNotFound() {
    return new KvException(Status.Code.INVALID_ARGUMENT, "etcdserver: key not found");
  }

  public static KvException valueProvided() {
    return new KvException(Status.Code.INVALID_ARGUMENT, "etcdserver: value is provided");
  }

  public static KvException leaseProvided() {
    return new KvException(Status.Code.INVALID_ARGUMENT, "etcdserver: lease is provided");
  }

  public static KvException duplicateKey() {
    return new KvException(
        Status.Code.INVALID_ARGUMENT, "etcdserver: duplicate key given in txn request");
  }

  public static KvException tooManyOps() {
    return new KvException(
        Status.Code.INVALID_ARGUMENT, "etcdserver: too many operations in txn request");
  }

  public static KvException compacted() {
    return new KvException(
        Status.Code.OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted");
  }

  public static KvException futureRevision() {
    return new KvException(
        Status.Code.OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision");
  }

  public static KvException noSpace() {
    return new KvException(
        Status.Code.RESOURCE_EXHAUSTED, "etcdserver: mvcc: database space exceeded");
  }

  public static KvException leaseNotFound() {
    return new KvException(Status.Code.NOT_FOUND, "etcdserver: requested lease not found");
  }

  public static KvException leaseExists() {
    return new KvException(Status.Code.FAILED_PRECONDITION, "etcdserver: lease already exists");
  }

  public static KvException leaseTtlTooLarge() {
    return new KvException(Status.Code.OUT_OF_RANGE, "etcdserver: too large lease TTL");
  }

  @Override
  public String toString() {
    return "KvException(" + code + ": " + getMessage() + ")";
  }
}
