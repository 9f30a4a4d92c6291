package raft.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import raft.confchange.ConfChanges;
import raft.pb.Entry;
import raft.tracker.Progress;

/**
 * The invariants of one node's protocol state, as one executable check that test harnesses run
 * after every step (the scenario and paper harnesses do; the simulator's safety checker covers the
 * cluster-wide properties of Figure 3). Each invariant is named by the sentence that states it;
 * the fields they govern point here.
 *
 * <p>A checker remembers what it saw last, for the invariants that compare with the previous
 * step (a term never goes back). Use one checker per node and per incarnation: a crash may lose a
 * term or commit index that was never persisted, which is safe (nothing sent depended on it,
 * Ready's contract) and is not a violation. Pure: it only reads the node's state. Its cost is
 * linear in the log (it reads every entry's index), which suits the small logs of the paper and
 * scenario tests; the simulator's long runs rely on its incremental safety checker instead.
 */
public final class Invariants {

  /** {@link Raft#currentTerm}, within one incarnation (§5.1: terms only move forward). */
  public static final String TERM_NEVER_DECREASES = "currentTerm never decreases";
  /** {@code RaftLog.commitIndex}, within one incarnation (§5.3: committed stays committed). */
  public static final String COMMIT_NEVER_DECREASES = "commitIndex never decreases";
  /** RaftLog: the state machine applies only committed entries (Figure 2, "All Servers"). */
  public static final String APPLIED_LE_COMMIT = "lastApplied <= commitIndex";
  /** RaftLog: one commits only entries one holds. */
  public static final String COMMIT_LE_LAST = "commitIndex <= lastIndex";
  /** Unstable and MemoryStorage: entry k of the log has index firstIndex + k, no gap, no repeat. */
  public static final String INDEXES_CONSECUTIVE = "log entries have consecutive indexes";
  /** Progress: what is known to match lies before what is sent next. */
  public static final String MATCH_LT_NEXT = "matchIndex < nextIndex";
  /** A leader's own progress cannot count entries it does not hold. */
  public static final String SELF_MATCH_LE_LAST = "a leader's own matchIndex <= its lastIndex";
  /** Thesis §10.2.1: a leader counts itself toward a majority only for what it persisted. */
  public static final String SELF_MATCH_PERSISTED =
      "a leader's own matchIndex <= its persisted last index";
  /** ReadOnly: a read waits at most for the round after the last one sent (thesis §6.4). */
  public static final String READ_ROUNDS = "every queued read has round <= lastRound + 1";
  /** §5.2: a candidate votes for itself, and a leader won with that vote. */
  public static final String VOTED_FOR_SELF = "a candidate or leader voted for itself";
  /** A leader knows itself as the leader of its term. */
  public static final String LEADER_LEADS = "a leader's lead is itself";
  /** Thesis §4.2.2: a leader left out of its configuration steps down once it is committed. */
  public static final String LEADER_VOTER_OR_LEAVING =
      "a leader is a voter of its configuration, or that configuration is not committed yet";
  /** ProgressTracker: the leader replicates to every member, voter or learner, and no one else. */
  public static final String PROGRESS_FOR_MEMBERS =
      "a leader tracks progress for exactly the members of its configuration";

  /** One broken invariant: its name (one of the constants above) and what was seen. */
  public record Violation(String invariant, String detail) {
    @Override
    public String toString() {
      return "'" + invariant + "': " + detail;
    }
  }

  private long lastTerm = -1;
  private long lastCommit = -1;

  /** Checks every invariant of {@code r} now; returns the broken ones (empty if all hold). */
  public List<Violation> check(Raft r) {
    List<Violation> out = new ArrayList<>();
    checkNeverDecreases(TERM_NEVER_DECREASES, lastTerm, r.currentTerm, out);
    checkNeverDecreases(COMMIT_NEVER_DECREASES, lastCommit, r.log.commitIndex(), out);
    lastTerm = Math.max(lastTerm, r.currentTerm);
    lastCommit = Math.max(lastCommit, r.log.commitIndex());
    checkLogBounds(r.log.lastApplied(), r.log.commitIndex(), r.log.lastIndex(), out);
    checkIndexes(r.log.firstIndex(), r.log.allEntries(), out);
    for (Map.Entry<Long, Progress> e : r.trk.all().entrySet()) {
      checkProgress(e.getKey(), e.getValue(), out);
    }
    if (r.role == StateRole.LEADER) {
      checkLeaderSelf(r.trk.get(r.id), r.log.lastIndex(), r.log.stableLastIndex(), out);
      checkLeaderMembership(r.id, r.trk.voters().contains(r.id), r.log.commitIndex(),
          r.confs.lastChangeIndex(), r.trk.all().keySet(),
          ConfChanges.members(r.confState()), out);
    }
    checkRole(r, out);
    checkReadRounds(r.readOnly, out);
    return out;
  }

  static void checkNeverDecreases(String name, long before, long now, List<Violation> out) {
    if (now < before) {
      out.add(new Violation(name, "went back from " + before + " to " + now));
    }
  }

  static void checkLogBounds(long applied, long commit, long last, List<Violation> out) {
    if (applied > commit) {
      out.add(new Violation(APPLIED_LE_COMMIT, "lastApplied " + applied + ", commitIndex "
          + commit));
    }
    if (commit > last) {
      out.add(new Violation(COMMIT_LE_LAST, "commitIndex " + commit + ", lastIndex " + last));
    }
  }

  static void checkIndexes(long firstIndex, List<Entry> ents, List<Violation> out) {
    for (int k = 0; k < ents.size(); k++) {
      if (ents.get(k).getIndex() != firstIndex + k) {
        out.add(new Violation(INDEXES_CONSECUTIVE, "entry " + k + " after firstIndex "
            + firstIndex + " has index " + ents.get(k).getIndex()));
        return;
      }
    }
  }

  static void checkProgress(long id, Progress p, List<Violation> out) {
    if (p.matchIndex() >= p.nextIndex()) {
      out.add(new Violation(MATCH_LT_NEXT, "progress of " + id + ": " + p));
    }
  }

  static void checkLeaderSelf(Progress self, long last, long persisted, List<Violation> out) {
    if (self == null) {
      return; // a leader removed from the configuration tracks no progress of its own
    }
    if (self.matchIndex() > last) {
      out.add(new Violation(SELF_MATCH_LE_LAST, "matchIndex " + self.matchIndex()
          + ", lastIndex " + last));
    }
    if (self.matchIndex() > persisted) {
      out.add(new Violation(SELF_MATCH_PERSISTED, "matchIndex " + self.matchIndex()
          + ", persisted up to " + persisted));
    }
  }

  static void checkLeaderMembership(long id, boolean voter, long commit, long lastChange,
      Set<Long> tracked, Set<Long> members, List<Violation> out) {
    if (!voter && commit >= lastChange) {
      out.add(new Violation(LEADER_VOTER_OR_LEAVING, "leader " + id + " is not a voter of the"
          + " configuration committed at " + lastChange));
    }
    if (!tracked.equals(members)) {
      out.add(new Violation(PROGRESS_FOR_MEMBERS, "tracks " + tracked + ", members " + members));
    }
  }

  private static void checkRole(Raft r, List<Violation> out) {
    boolean elected = r.role == StateRole.CANDIDATE || r.role == StateRole.LEADER;
    if (elected && r.votedFor != r.id) {
      out.add(new Violation(VOTED_FOR_SELF, r.role + " " + r.id + " of term " + r.currentTerm
          + " voted for " + r.votedFor));
    }
    if (r.role == StateRole.LEADER && r.lead != r.id) {
      out.add(new Violation(LEADER_LEADS, "leader " + r.id + " has lead " + r.lead));
    }
  }

  static void checkReadRounds(ReadOnly ro, List<Violation> out) {
    checkReadRounds(ro.queued(), ro.lastRound(), out);
  }

  static void checkReadRounds(List<ReadOnly.Pending> queued, long lastRound,
      List<Violation> out) {
    for (ReadOnly.Pending p : queued) {
      if (p.round() > lastRound + 1) {
        out.add(new Violation(READ_ROUNDS, "a read waits for round " + p.round()
            + ", the last sent is " + lastRound));
        return;
      }
    }
  }
}
