package raft.kv.server;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
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
    return Status.INVALID_ARGUMENT.withDescription("etcdserver: key is not provided")
        .asRuntimeException();
  }

  static StatusRuntimeException stopped(String why) {
    return Status.UNAVAILABLE.withDescription("etcdserver: server stopped (" + why + ")")
        .asRuntimeException();
  }

  /** Maps whatever a proposal or read ended with to the status a client should see. */
  static StatusRuntimeException of(Throwable t) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (cause instanceof StatusRuntimeException s) {
      return s;
    }
    if (cause instanceof KvException kv) {
      return Status.fromCode(kv.code()).withDescription(kv.getMessage()).asRuntimeException();
    }
    if (cause instanceof NoLeaderException) {
      return noLeader();
    }
    if (cause instanceof TimeoutException) {
      return timedOut();
    }
    return stopped(String.valueOf(cause.getMessage()));
  }
}
