package raft.kv.mvcc;

/**
 * A request the state machine refuses, named by its {@link Code}. Thrown by {@link MvccStore}
 * and {@code Lessor}; the apply layer hands it to the waiting client as the result of the entry
 * instead of letting it escape.
 *
 * <p>No gRPC here: which status code and which exact text a client sees (etcd's, which clientv3
 * and jetcd map back to typed errors) is decided in one place, {@code raft.kv.server.Errors}.
 */
public final class KvException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Why a request was refused: one per etcd error (rpctypes' ErrGRPCEmptyKey, ErrGRPCCompacted
   * and so on), plus one of ours.
   */
  public enum Code {
    EMPTY_KEY, KEY_NOT_FOUND, VALUE_PROVIDED, LEASE_PROVIDED, DUPLICATE_KEY, TOO_MANY_OPS,
    COMPACTED, FUTURE_REVISION, NO_SPACE, LEASE_NOT_FOUND, LEASE_EXISTS, LEASE_TTL_TOO_LARGE,
    /** Not etcd's: a committed entry that does not parse as a request. */
    MALFORMED_ENTRY
  }

  private final Code code;
  private final String detail;

  private KvException(Code code, String detail) {
    // No stack trace: a refusal is an answer to a client, not a bug, and some are frequent.
    super(detail.isEmpty() ? code.name() : code + " " + detail, null, false, false);
    this.code = code;
    this.detail = detail;
  }

  public KvException(Code code) {
    this(code, "");
  }

  public Code code() {
    return code;
  }

  /** What the code alone does not say (for a malformed entry, where it is); else empty. */
  public String detail() {
    return detail;
  }

  public static KvException emptyKey() {
    return new KvException(Code.EMPTY_KEY);
  }

  public static KvException keyNotFound() {
    return new KvException(Code.KEY_NOT_FOUND);
  }

  public static KvException valueProvided() {
    return new KvException(Code.VALUE_PROVIDED);
  }

  public static KvException leaseProvided() {
    return new KvException(Code.LEASE_PROVIDED);
  }

  public static KvException duplicateKey() {
    return new KvException(Code.DUPLICATE_KEY);
  }

  public static KvException tooManyOps() {
    return new KvException(Code.TOO_MANY_OPS);
  }

  public static KvException compacted() {
    return new KvException(Code.COMPACTED);
  }

  public static KvException futureRevision() {
    return new KvException(Code.FUTURE_REVISION);
  }

  public static KvException noSpace() {
    return new KvException(Code.NO_SPACE);
  }

  public static KvException leaseNotFound() {
    return new KvException(Code.LEASE_NOT_FOUND);
  }

  public static KvException leaseExists() {
    return new KvException(Code.LEASE_EXISTS);
  }

  public static KvException leaseTtlTooLarge() {
    return new KvException(Code.LEASE_TTL_TOO_LARGE);
  }

  public static KvException malformedEntry(long index) {
    return new KvException(Code.MALFORMED_ENTRY, "at index " + index);
  }

  @Override
  public String toString() {
    return "KvException(" + getMessage() + ")";
  }
}
