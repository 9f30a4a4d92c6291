package raft.kv.server;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import raft.kv.apply.Membership;

/**
 * etcd 3.4's errors for the Cluster service, code and text as in {@code rpctypes/error.go}, and
 * the mapping of its membership errors to them ({@code v3rpc/util.go}'s toGRPCErrorMap: a
 * removed id is "member not found" to a client, as in etcd).
 */
final class MemberErrors {
  private MemberErrors() {}

  static final String MEMBER_NOT_FOUND = "etcdserver: member not found";
  static final String MEMBER_EXIST = "etcdserver: member ID already exist";
  static final String PEER_URL_EXIST = "etcdserver: Peer URLs already exists";
  static final String BAD_URLS = "etcdserver: given member URLs are invalid";
  static final String NOT_LEARNER = "etcdserver: can only promote a learner member";
  static final String LEARNER_NOT_READY =
      "etcdserver: can only promote a learner member which is in sync with leader";
  static final String TOO_MANY_LEARNERS = "etcdserver: too many learner members in cluster";
  static final String NOT_ENOUGH_STARTED =
      "etcdserver: re-configuration failed due to not enough started members";
  static final String UNHEALTHY = "etcdserver: unhealthy cluster";
  static final String NOT_SUPPORTED_FOR_LEARNER = "etcdserver: rpc not supported for learner";

  static StatusRuntimeException of(Membership.Refusal r) {
    return switch (r) {
      case ID_REMOVED, ID_NOT_FOUND -> memberNotFound();
      case ID_EXISTS -> failed(MEMBER_EXIST);
      case PEER_URL_EXISTS -> failed(PEER_URL_EXIST);
      case MEMBER_NOT_LEARNER -> failed(NOT_LEARNER);
      case TOO_MANY_LEARNERS -> failed(TOO_MANY_LEARNERS);
    };
  }

  static StatusRuntimeException memberNotFound() {
    return Status.NOT_FOUND.withDescription(MEMBER_NOT_FOUND).asRuntimeException();
  }

  static StatusRuntimeException badUrls() {
    return Status.INVALID_ARGUMENT.withDescription(BAD_URLS).asRuntimeException();
  }

  /**
   * A peer URL whose scheme is not the cluster's (etcd has no text for it: it would dial such a
   * URL as given, we cannot, see {@link PeerUrls#wrongScheme}).
   */
  static StatusRuntimeException wrongScheme(String url, String peerScheme) {
    return Status.INVALID_ARGUMENT.withDescription("raftkv: given member URL " + url
        + " does not use this cluster's peer scheme " + peerScheme).asRuntimeException();
  }

  static StatusRuntimeException learnerNotReady() {
    return failed(LEARNER_NOT_READY);
  }

  static StatusRuntimeException notEnoughStarted() {
    return failed(NOT_ENOUGH_STARTED);
  }

  static StatusRuntimeException unhealthy() {
    return Status.UNAVAILABLE.withDescription(UNHEALTHY).asRuntimeException();
  }

  static StatusRuntimeException notSupportedForLearner() {
    return Status.UNAVAILABLE.withDescription(NOT_SUPPORTED_FOR_LEARNER).asRuntimeException();
  }

  /** The core refused the change (one already in flight, ...): etcd has no text for it. */
  static StatusRuntimeException coreRefused(String why) {
    return Status.FAILED_PRECONDITION.withDescription("raftkv: membership change refused: "
        + why).asRuntimeException();
  }

  private static StatusRuntimeException failed(String text) {
    return Status.FAILED_PRECONDITION.withDescription(text).asRuntimeException();
  }
}
