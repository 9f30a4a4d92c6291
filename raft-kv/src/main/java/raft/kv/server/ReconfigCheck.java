package raft.kv.server;

import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Optional;
import java.util.function.LongPredicate;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.apply.Membership;

/**
 * etcd's strict reconfiguration check (on by default, {@code --strict-reconfig-check}): refuse
 * a change that would leave fewer started members than a quorum, or that this member cannot
 * vouch for because it has not been connected to the voters for a while. A member is started
 * once it has published its name ({@link Member#getName} non-empty), as in etcd's
 * {@code Member.IsStarted}; the initial members of a cluster are started from the first entry.
 *
 * @param self this member's id
 * @param connected whether this member has been connected to a peer for at least etcd's
 *     HealthInterval (5 s); asked only about other members
 */
record ReconfigCheck(long self, LongPredicate connected) {

  /** etcd's mayAddMember. */
  Optional<StatusRuntimeException> mayAdd(Membership.View v, boolean learner) {
    if (!learner && !readyToAddVoter(v)) {
      return Optional.of(MemberErrors.notEnoughStarted());
    }
    boolean allConnected = v.voters().stream()
        .allMatch(m -> m.getID() == self || connected.test(m.getID()));
    return allConnected ? Optional.empty() : Optional.of(MemberErrors.unhealthy());
  }

  /** etcd's mayRemoveMember. */
  Optional<StatusRuntimeException> mayRemove(Membership.View v, long id) {
    if (v.isLearner(id)) {
      return Optional.empty(); // a learner counts in no quorum
    }
    if (!readyToRemoveVoter(v, id)) {
      return Optional.of(MemberErrors.notEnoughStarted());
    }
    if (id != self && !connected.test(id)) {
      return Optional.empty(); // a member that is down is no part of the active quorum
    }
    List<Member> voters = v.voters();
    long active = voters.stream()
        .filter(m -> m.getID() == self || connected.test(m.getID())).count();
    return active - 1 < 1 + (voters.size() - 1) / 2 ? Optional.of(MemberErrors.unhealthy())
        : Optional.empty();
  }

  /** etcd's mayPromoteMember, after isLearnerReady. */
  Optional<StatusRuntimeException> mayPromote(Membership.View v, long id) {
    return readyToPromote(v, id) ? Optional.empty()
        : Optional.of(MemberErrors.notEnoughStarted());
  }

  // etcd's IsReadyToAddVotingMember: the new member counts, unstarted.
  static boolean readyToAddVoter(Membership.View v) {
    long members = 1 + v.voters().size();
    long started = v.voters().stream().filter(ReconfigCheck::started).count();
    if (started == 1 && members == 2) {
      return true; // growing a one-member cluster (restoring from a backup, say)
    }
    return started >= members / 2 + 1;
  }

  // etcd's IsReadyToRemoveVotingMember.
  static boolean readyToRemoveVoter(Membership.View v, long id) {
    List<Member> rest = v.voters().stream().filter(m -> m.getID() != id).toList();
    long started = rest.stream().filter(ReconfigCheck::started).count();
    return started >= rest.size() / 2 + 1;
  }

  // etcd's IsReadyToPromoteMember: the learner counts as a member, and as started.
  static boolean readyToPromote(Membership.View v, long id) {
    long members = 1 + v.voters().size();
    long started = 1 + v.voters().stream().filter(ReconfigCheck::started).count();
    return started >= members / 2 + 1;
  }

  static boolean started(Member m) {
    return !m.getName().isEmpty();
  }
}
