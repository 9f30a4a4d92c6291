package raft.kv.server;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.apply.ApplyResult;
import raft.kv.apply.Membership;
import raft.kv.pb.MemberChange;
import raft.pb.ConfChangeSingle;
import raft.pb.ConfChangeType;
import raft.pb.ConfChangeV2;

/**
 * etcd's AddMember, RemoveMember, UpdateMember and PromoteMember (etcdserver/server.go): check
 * the request against the registry as of a linearizable read (so a follower checks against
 * what the leader has committed, not a stale copy) and etcd's strict reconfiguration rules,
 * then propose one ConfChange whose context carries the member and a request id, and answer
 * once this member has applied it.
 *
 * <p>Checking before proposing leaves a window: two changes checked at once against the same
 * registry. The core takes one change at a time (§4.1: a leader refuses a change while one is
 * not yet applied), so the second is dropped and its client told so, unless the first was
 * applied in between; then the state machine notices that the second breaks a rule and its
 * client is told so, but the change is made (the registry must follow the configuration).
 */
final class MemberChanges {
  /** etcd's readyPercent: a learner within 90% of the leader's log may be promoted. */
  static final double READY_PERCENT = 0.9;

  /** What the leader knows of a learner's log (its tracker), for etcd's isLearnerReady. */
  interface LeaderProgress {
    /** Empty if this member is not the leader; else the learner's match (0 if unknown). */
    Optional<Long> match(long learner);

    long leaderMatch();

    /** The leader's own id: its match is its own log. */
    long self();

    /** Whether this member knows a leader now. */
    boolean leaderKnown();
  }

  private final RaftGateway raft;
  private final RequestTracker tracker;
  private final Deadlines deadlines;
  private final Function<ConfChangeV2, CompletableFuture<Void>> propose;
  private final Supplier<Membership.View> registry;
  private final ReconfigCheck check;
  private final LeaderProgress progress;
  private final MemberIds ids;

  MemberChanges(RaftGateway raft, RequestTracker tracker, Deadlines deadlines,
      Function<ConfChangeV2, CompletableFuture<Void>> propose,
      Supplier<Membership.View> registry, ReconfigCheck check, LeaderProgress progress,
      MemberIds ids) {
    this.raft = raft;
    this.tracker = tracker;
    this.deadlines = deadlines;
    this.propose = propose;
    this.registry = registry;
    this.check = check;
    this.progress = progress;
    this.ids = ids;
  }

  /** The new member (name empty, as etcd answers) and the registry after the change. */
  record Added(Member member, List<Member> members) {}

  CompletableFuture<Added> add(List<String> peerUrls, boolean learner) {
    return raft.linearizableBarrier().thenCompose(x -> {
      Membership.View v = registry.get();
      Member m = Member.newBuilder().setID(ids.fresh(v)).addAllPeerURLs(peerUrls)
          .setIsLearner(learner).build();
      ConfChangeType type = learner ? ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE
          : ConfChangeType.CONF_CHANGE_ADD_NODE;
      MemberChange.Builder change = MemberChange.newBuilder().setMember(m);
      Optional<StatusRuntimeException> refused = refusal(v, type, change)
          .or(() -> check.mayAdd(v, learner));
      return refused.isPresent() ? CompletableFuture.<Added>failedFuture(refused.get())
          : submit(type, change).thenApply(members -> new Added(m, members));
    });
  }

  CompletableFuture<List<Member>> remove(long id) {
    return raft.linearizableBarrier().thenCompose(x -> {
      Membership.View v = registry.get();
      MemberChange.Builder change = MemberChange.newBuilder()
          .setMember(Member.newBuilder().setID(id));
      ConfChangeType type = ConfChangeType.CONF_CHANGE_REMOVE_NODE;
      Optional<StatusRuntimeException> refused = refusal(v, type, change)
          .or(() -> check.mayRemove(v, id));
      return refused.isPresent() ? CompletableFuture.failedFuture(refused.get())
          : submit(type, change);
    });
  }

  CompletableFuture<List<Member>> update(long id, List<String> peerUrls) {
    return raft.linearizableBarrier().thenCompose(x -> {
      MemberChange.Builder change = MemberChange.newBuilder()
          .setMember(Member.newBuilder().setID(id).addAllPeerURLs(peerUrls));
      ConfChangeType type = ConfChangeType.CONF_CHANGE_UPDATE_NODE;
      Optional<StatusRuntimeException> refused = refusal(registry.get(), type, change);
      return refused.isPresent() ? CompletableFuture.failedFuture(refused.get())
          : submit(type, change);
    });
  }

  /**
   * etcd's PromoteMember: only the leader knows how far the learner's log is; etcd forwards
   * the request to it, this member answers "not leader" instead (etcdctl then tries the next
   * endpoint it was given).
   */
  CompletableFuture<List<Member>> promote(long id) {
    return raft.linearizableBarrier().thenCompose(x -> {
      Membership.View v = registry.get();
      MemberChange.Builder change = MemberChange.newBuilder()
          .setMember(Member.newBuilder().setID(id)).setIsPromote(true);
      ConfChangeType type = ConfChangeType.CONF_CHANGE_ADD_NODE;
      Optional<StatusRuntimeException> refused = learnerReady(v, id)
          .or(() -> refusal(v, type, change)).or(() -> check.mayPromote(v, id));
      return refused.isPresent() ? CompletableFuture.failedFuture(refused.get())
          : submit(type, change);
    });
  }

  /**
   * etcd's isLearnerReady, checked before whether the member is a learner at all, as in etcd:
   * any member of the configuration whose log is not within 90% of the leader's is refused; an
   * id that is no member passes (and is then not found).
   */
  private Optional<StatusRuntimeException> learnerReady(Membership.View v, long id) {
    Optional<Long> match = progress.match(id);
    if (match.isEmpty()) {
      return Optional.of(Errors.notLeader());
    }
    if (v.member(id).isEmpty() || id == progress.self()) {
      return Optional.empty();
    }
    return match.get() < progress.leaderMatch() * READY_PERCENT
        ? Optional.of(MemberErrors.learnerNotReady()) : Optional.empty();
  }

  /**
   * A dropped change: with no leader known, etcd's "no leader"; else the leader would not take
   * it now (thesis §4.1: one change at a time, and none before an entry of its term is
   * committed), which etcd has no text for (its raft turns such a change into an empty entry
   * and the client times out): say so at once.
   */
  private Throwable dropped(Throwable t) {
    if (Errors.unwrap(t) instanceof raft.runtime.NoLeaderException && progress.leaderKnown()) {
      return MemberErrors.coreRefused("the leader takes one membership change at a time, and"
          + " none before it has committed an entry of its term; retry");
    }
    return t;
  }

  private static Optional<StatusRuntimeException> refusal(Membership.View v,
      ConfChangeType type, MemberChange.Builder change) {
    return Membership.validate(v, type, change.build()).map(MemberErrors::of);
  }

  private CompletableFuture<List<Member>> submit(ConfChangeType type,
      MemberChange.Builder change) {
    long requestId = raft.nextId();
    ByteString context = change.setRequestId(requestId).build().toByteString();
    ConfChangeV2 cc = ConfChangeV2.newBuilder().addChanges(ConfChangeSingle.newBuilder()
        .setType(type).setNodeId(change.getMember().getID())).setContext(context).build();
    CompletableFuture<ApplyResult> applied = deadlines.within(tracker.register(requestId));
    propose.apply(cc).whenComplete((ok, t) -> {
      if (t != null) {
        applied.completeExceptionally(dropped(t));
      }
    });
    return applied.handle((result, t) -> {
      if (t != null) {
        throw Errors.of(t);
      }
      if (!(result instanceof ApplyResult.MemberChanged changed)) {
        throw Errors.internal("raftkv: member change applied as " + result);
      }
      if (changed.coreRefusal() != null) {
        throw MemberErrors.coreRefused(changed.coreRefusal());
      }
      if (changed.refusal() != null) {
        throw MemberErrors.of(changed.refusal());
      }
      return changed.members();
    });
  }
}
