package raft.kv.server;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import raft.kv.auth.AuthException;
import raft.kv.mvcc.KvException;
import raft.runtime.NoLeaderException;

/**
 * etcd's gRPC errors, with etcd's exact codes and messages: clients (etcdctl, clientv3, jetcd)
 * map them back to typed errors by their text, so the strings must match etcd's
 * {@code rpctypes/error.go} byte for byte.
 */
final class Errors {
  private Errors() {}

  static StatusRuntimeException noLeader() {
    return Status.UNAVAILABLE.withDescription("etcdserver: no leader").asRuntimeException();
  }

  static StatusRuntimeException notLeader() {
    return Status.FAILED_PRECONDITION.withDescription("etcdserver: not leader")
        .asRuntimeException();
  }

  static StatusRuntimeException timedOut() {
    return Status.UNAVAILABLE.withDescription("etcdserver: request timed out")
        .asRuntimeException();
  }

  static StatusRuntimeException leaderTransferTimedOut() {
    return Status.DEADLINE_EXCEEDED
        .withDescription("etcdserver: request timed out, leader transfer took too long")
        .asRuntimeException();
  }

  static StatusRuntimeException badLeaderTransferee() {
    return Status.FAILED_PRECONDITION.withDescription("etcdserver: bad leader transferee")
        .asRuntimeException();
  }

  static StatusRuntimeException tooLarge() {
    return Status.INVALID_ARGUMENT.withDescription("etcdserver: request is too large")
        .asRuntimeException();
  }

  /** etcd's answer when it is too busy to take a request. */
  static StatusRuntimeException tooManyRequests() {
    return Status.RESOURCE_EXHAUSTED.withDescription("etcdserver: too many requests")
        .asRuntimeException();
  }

  static StatusRuntimeException keyNotProvided() {
    return refused(KvException.emptyKey());
  }

  /** A bug of ours: the client should see it rather than wait for its deadline. */
  static StatusRuntimeException internal(String what) {
    return Status.INTERNAL.withDescription(what).asRuntimeException();
  }

  static StatusRuntimeException stopped(String why) {
    return Status.UNAVAILABLE.withDescription("etcdserver: server stopped (" + why + ")")
        .asRuntimeException();
  }

  /** The state machine's refusal as etcd sends it (rpctypes/error.go: code and text). */
  static StatusRuntimeException refused(KvException e) {
    // No default: a new KvException.Code does not compile until it is given etcd's status.
    Status s = switch (e.code()) {
      case EMPTY_KEY -> Status.INVALID_ARGUMENT
          .withDescription("etcdserver: key is not provided");
      case KEY_NOT_FOUND -> Status.INVALID_ARGUMENT.withDescription("etcdserver: key not found");
      case VALUE_PROVIDED -> Status.INVALID_ARGUMENT
          .withDescription("etcdserver: value is provided");
      case LEASE_PROVIDED -> Status.INVALID_ARGUMENT
          .withDescription("etcdserver: lease is provided");
      case DUPLICATE_KEY -> Status.INVALID_ARGUMENT
          .withDescription("etcdserver: duplicate key given in txn request");
      case TOO_MANY_OPS -> Status.INVALID_ARGUMENT
          .withDescription("etcdserver: too many operations in txn request");
      case COMPACTED -> Status.OUT_OF_RANGE
          .withDescription("etcdserver: mvcc: required revision has been compacted");
      case FUTURE_REVISION -> Status.OUT_OF_RANGE
          .withDescription("etcdserver: mvcc: required revision is a future revision");
      case NO_SPACE -> Status.RESOURCE_EXHAUSTED
          .withDescription("etcdserver: mvcc: database space exceeded");
      case LEASE_NOT_FOUND -> Status.NOT_FOUND
          .withDescription("etcdserver: requested lease not found");
      case LEASE_EXISTS -> Status.FAILED_PRECONDITION
          .withDescription("etcdserver: lease already exists");
      case LEASE_TTL_TOO_LARGE -> Status.OUT_OF_RANGE
          .withDescription("etcdserver: too large lease TTL");
      case MALFORMED_ENTRY -> Status.INTERNAL
          .withDescription("raftkv: malformed entry " + e.detail());
    };
    return s.asRuntimeException();
  }

  /** The auth store's refusal as etcd sends it: its code and rpctypes text, as it carries. */
  static StatusRuntimeException refused(AuthException e) {
    return Status.fromCode(e.code()).withDescription(e.getMessage()).asRuntimeException();
  }

  /** Maps whatever a proposal or read ended with to the status a client should see. */
  static StatusRuntimeException of(Throwable t) {
    Throwable cause = unwrap(t);
    if (cause instanceof StatusRuntimeException s) {
      return s;
    }
    if (cause instanceof KvException kv) {
      return refused(kv);
    }
    if (cause instanceof AuthException auth) {
      return refused(auth);
    }
    if (cause instanceof NoLeaderException) {
      return noLeader();
    }
    if (cause instanceof TimeoutException) {
      return timedOut();
    }
    return stopped(String.valueOf(cause.getMessage()));
  }

  /** What a future ended with: the cause of a {@link CompletionException}, else {@code t}. */
  static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
