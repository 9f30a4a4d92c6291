package raft.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import raft.confchange.ConfChanges;
import raft.core.Raft;
import raft.core.StateRole;
import raft.log.MemoryStorage;
import raft.pb.ConfState;

/**
 * The checks that need to know the configuration, which changes during a run:
 * <ul>
 *   <li>{@link Property#MEMBERSHIP_AGREEMENT}: the configuration at (index i, term t) is a
 *       function of the log up to i (thesis §4.1), and by Log Matching one (i, t) names one
 *       log prefix, so every member must have the same configuration there: each core at its
 *       last entry (the configuration in force, committed or not), each state machine at the
 *       entry it applied last (what its snapshots record).</li>
 *   <li>{@link Property#COMMITTED_ON_QUORUM}: when a leader's commit index moves to c, entry c
 *       is durable on a majority of the voters of the configuration it counts with, of each half
 *       when joint (§5.3, §4.3). The configuration it counted with is the one in force before
 *       or after the event (a change in the same event may shrink the majority at once).</li>
 * </ul>
 */
final class MemberChecks {
  // index -> term -> the configuration after the log up to (index, term)
  private final Map<Long, Map<Long, ConfState>> confAt = new HashMap<>();
  private ConfState newestApplied = ConfState.getDefaultInstance();
  private long newestAppliedIndex = -1;
  private long configurations;

  /** How many distinct configurations were committed, in order (the founding one counts). */
  long configurations() {
    return configurations;
  }

  /** The configuration at the highest index any state machine applied: a committed one. */
  ConfState committed() {
    return newestApplied;
  }

  /** A state machine applied up to (index, term) with {@code cs} in force there. */
  void onApply(SafetyChecker c, SimNode sn, long index, long term) {
    record(c, sn, index, term, sn.confState, "state machine");
    if (index > newestAppliedIndex) {
      newestAppliedIndex = index;
      if (!Configs.same(newestApplied, sn.confState)) {
        configurations++;
      }
      newestApplied = sn.confState;
    }
  }

  /** After every event: the core's configuration in force, at its last entry. */
  void checkCore(SafetyChecker c, SimNode sn, Raft r) {
    long i = r.log().lastIndex();
    long t = r.log().lastTerm();
    ConfState cs = r.confState();
    if (i == sn.coreConfIndex && t == sn.coreConfTerm && cs == sn.coreConf) {
      return;
    }
    sn.coreConfIndex = i;
    sn.coreConfTerm = t;
    sn.coreConf = cs;
    record(c, sn, i, t, cs, "core");
  }

  private void record(SafetyChecker c, SimNode sn, long index, long term, ConfState cs,
      String who) {
    ConfState seen = confAt.computeIfAbsent(index, k -> new HashMap<>(2)).putIfAbsent(term, cs);
    if (seen != null && seen != cs && !Configs.same(seen, cs)) {
      c.fail(Property.MEMBERSHIP_AGREEMENT, "n" + sn.id + " (its " + who + ") has "
          + Configs.describe(cs) + " after entry " + index + "/" + term + ", but "
          + Configs.describe(seen) + " was seen there before");
    }
  }

  void pruneBelow(long index) {
    confAt.keySet().removeIf(i -> i < index);
  }

  /** {@link Property#COMMITTED_ON_QUORUM}, checked as a leader's commit index moves. */
  static void checkCommitQuorum(SafetyChecker c, SimNode sn, Raft r, List<SimNode> nodes) {
    ConfState now = r.confState();
    ConfState before = sn.prevConf != null ? sn.prevConf : now;
    sn.prevConf = now;
    long commit = r.log().commitIndex();
    if (r.role() != StateRole.LEADER || sn.leaderCheckedTerm != r.term()) {
      // Commits learned as a follower were checked at their leader; start from here.
      sn.quorumChecked = commit;
      sn.leaderCheckedTerm = r.role() == StateRole.LEADER ? r.term() : 0;
      return;
    }
    if (commit <= sn.quorumChecked) {
      return;
    }
    sn.quorumChecked = commit;
    long term = r.log().term(commit);
    if (onQuorum(now, commit, term, nodes) || onQuorum(before, commit, term, nodes)) {
      return;
    }
    c.fail(Property.COMMITTED_ON_QUORUM, "leader n" + sn.id + " of term " + r.term()
        + " committed entry " + commit + "/" + term + " but only " + Configs.names(
            holders(ConfChanges.voters(now), commit, term, nodes)) + " hold it on disk, not a"
        + " majority of " + Configs.describe(now));
  }

  private static boolean onQuorum(ConfState cs, long index, long term, List<SimNode> nodes) {
    return majority(cs.getVotersList(), index, term, nodes)
        && (cs.getVotersOutgoingCount() == 0
            || majority(cs.getVotersOutgoingList(), index, term, nodes));
  }

  private static boolean majority(List<Long> voters, long index, long term,
      List<SimNode> nodes) {
    return holders(voters, index, term, nodes).size() >= voters.size() / 2 + 1;
  }

  private static List<Long> holders(java.util.Collection<Long> voters, long index, long term,
      List<SimNode> nodes) {
    List<Long> out = new ArrayList<>();
    for (long v : voters) {
      if (v < nodes.size() && nodes.get((int) v) != null
          && durablyHolds(nodes.get((int) v).durable, index, term)) {
        out.add(v);
      }
    }
    return out;
  }

  /** Whether a member's disk (what survives a crash) holds entry (index, term). */
  static boolean durablyHolds(MemoryStorage d, long index, long term) {
    if (index <= d.snapshot().getMetadata().getIndex()) {
      return true; // in the snapshot: committed there, and State Machine Safety checks which
    }
    return index <= d.lastIndex() && d.term(index) == term;
  }
}
