package raft.sim;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import raft.core.Raft;
import raft.core.StateRole;
import raft.log.RaftLog;
import raft.pb.Entry;
import raft.pb.HardState;
import raft.pb.Message;
import raft.pb.MessageType;

/**
 * Checks Raft's guarantees (Figure 3 of the paper) after every simulated step, incrementally, so
 * that a run of millions of messages stays fast:
 * <ul>
 *   <li>Election Safety: at most one leader per term (and no node's term ever goes back).</li>
 *   <li>Leader Append-Only: a leader never overwrites or deletes entries of its log.</li>
 *   <li>Log Matching: two entries with the same index and term have the same content and the
 *       same predecessor term, so (by induction) identical prefixes.</li>
 *   <li>Leader Completeness: every leader's log holds every committed entry.</li>
 *   <li>State Machine Safety: no two nodes commit or apply different entries at one index.</li>
 *   <li>Linearizable reads: a ReadIndex read reflects everything committed before it began.</li>
 *   <li>Committed on a quorum: an entry a leader commits is durable on a majority of (each half
 *       of) the configuration it counts with (§5.3, §4.3).</li>
 *   <li>Membership agreement: members that applied the log up to index i have the same
 *       configuration there (the core's and the state machine's alike): the configuration at i
 *       is a function of the log up to i (thesis §4.1, applied as etcd does).</li>
 * </ul>
 * The first violation is kept; the simulator stops there.
 */
final class SafetyChecker {
  private record Violation(String property, String detail) {}

  /** An entry as first seen at its (index, term), and the term of the entry before it. */
  private record Seen(Entry entry, long prevTerm) {}

  private Violation violation;
  private final Map<Long, Long> leaderOfTerm = new HashMap<>();
  // (index, term) -> the entry itself and its predecessor's term, as first seen anywhere. The
  // entry is kept whole (its bytes, not a hash): two different commands must never pass for one.
  private final Map<Long, Map<Long, Seen>> entryAt = new HashMap<>();
  // The committed log, as far as anyone committed: term and state-machine digest per index.
  private long[] committedTerm = new long[1024];
  private long[] commitTerm = new long[1024]; // the term in which each index was committed
  private long[] appliedDigest = new long[1024];
  private boolean[] appliedSeen = new boolean[1024];
  private long maxCommit;
  private long prunedAt;
  private long[] checkedCommit;

  private final java.util.Set<String> enabled;
  private final MemberChecks agreement; // null when the membership cannot change

  SafetyChecker(int nodes, java.util.Set<String> enabled, boolean membership) {
    this.checkedCommit = new long[nodes + 1];
    this.enabled = enabled;
    this.agreement = membership ? new MemberChecks() : null;
  }

  boolean ok() {
    return violation == null;
  }

  String property() {
    return violation == null ? null : violation.property;
  }

  String detail() {
    return violation == null ? null : violation.detail;
  }

  long maxCommit() {
    return maxCommit;
  }

  long committedConfigurations() {
    return agreement == null ? 1 : agreement.configurations();
  }

  /** The configuration at the highest index a state machine applied (a committed one). */
  raft.pb.ConfState committedConf() {
    return agreement == null ? raft.pb.ConfState.getDefaultInstance() : agreement.committed();
  }

  /** The protocol threw: always reported, whatever properties are enabled. */
  void panic(RuntimeException ex) {
    if (violation == null) {
      StackTraceElement at = ex.getStackTrace().length > 0 ? ex.getStackTrace()[0] : null;
      violation = new Violation(Property.PANIC, ex + (at == null ? "" : " at " + at));
    }
  }

  void fail(String property, String detail) {
    if (violation == null && enabled.contains(property)) {
      violation = new Violation(property, detail);
    }
  }

  /** Runs after every event on every live process. */
  void afterStep(List<SimNode> nodes, List<Integer> procs) {
    for (int k = 0; k < procs.size() && violation == null; k++) {
      SimNode sn = nodes.get(procs.get(k));
      if (sn.up()) {
        checkNode(sn, sn.node.raft(), nodes);
      }
    }
  }

  private void checkNode(SimNode sn, Raft r, List<SimNode> nodes) {
    if (r.term() < sn.lastTerm) {
      fail(Property.ELECTION_SAFETY, "n" + sn.id + " term went back from " + sn.lastTerm + " to "
          + r.term());
    }
    sn.lastTerm = r.term();
    checkCommitted(sn, r.term(), r.log());
    if (agreement != null) {
      agreement.checkCore(this, sn, r);
    }
    MemberChecks.checkCommitQuorum(this, sn, r, nodes);
    if (r.role() != StateRole.LEADER) {
      return;
    }
    Long other = leaderOfTerm.putIfAbsent(r.term(), sn.id);
    if (other != null && other != sn.id) {
      fail(Property.ELECTION_SAFETY, "two leaders in term " + r.term() + ": n" + other + " and n" + sn.id);
    }
    checkLeaderAppendOnly(sn, r);
    checkLeaderCompleteness(sn, r.term(), r.log());
  }

  private void checkLeaderAppendOnly(SimNode sn, Raft r) {
    RaftLog log = r.log();
    if (sn.leaderTerm == r.term()) {
      boolean lost = log.lastIndex() < sn.leaderLastIndex
          || (sn.leaderLastIndex >= log.firstIndex() - 1
              && log.term(sn.leaderLastIndex) != sn.leaderLastTerm);
      if (lost) {
        fail(Property.LEADER_APPEND_ONLY, "leader n" + sn.id + " of term " + r.term()
            + " lost entry " + sn.leaderLastIndex + " (term " + sn.leaderLastTerm + ")");
      }
    }
    sn.leaderTerm = r.term();
    sn.leaderLastIndex = log.lastIndex();
    sn.leaderLastTerm = log.lastTerm();
  }

  /**
   * §5.4: an entry committed in term T is in the log of every leader of a term above T. (A stale
   * leader of an older term, cut off but not yet stepped down, may lack newer commits.) By Log
   * Matching it is enough to check the last such entry.
   */
  private void checkLeaderCompleteness(SimNode sn, long term, RaftLog log) {
    if (sn.completenessTerm != term) {
      // A new term: find the last entry committed before it, scanning back from the newest
      // commit (usually one step: everything committed so far was committed in older terms).
      sn.completenessTerm = term;
      sn.completenessIndex = 0;
      for (long i = maxCommit; i > 0; i--) {
        if (commitTerm[(int) i] < term && committedTerm[(int) i] != 0) {
          sn.completenessIndex = i;
          break;
        }
      }
      sn.completenessScanned = maxCommit;
    }
    for (long i = sn.completenessScanned + 1; i <= maxCommit; i++) {
      // (committedTerm 0: nobody saw the entry itself, only a snapshot holding it.)
      if (commitTerm[(int) i] < term && committedTerm[(int) i] != 0) {
        sn.completenessIndex = i;
      }
    }
    sn.completenessScanned = maxCommit;
    long c = sn.completenessIndex;
    if (c == 0 || c < log.firstIndex() - 1) {
      return; // nothing committed before this term, or compacted into a snapshot (which holds it)
    }
    if (log.term(c) != committedTerm[(int) c]) {
      fail(Property.LEADER_COMPLETENESS, "leader n" + sn.id + " of term " + term + " lacks entry " + c
          + " (term " + committedTerm[(int) c] + ") committed in term " + commitTerm[(int) c]
          + "; its log has term " + log.term(c) + " there");
    }
  }

  /** Records the terms of newly committed entries; two different ones at an index is fatal. */
  private void checkCommitted(SimNode sn, long term, RaftLog log) {
    long commit = log.commitIndex();
    int id = (int) sn.id;
    if (id >= checkedCommit.length) {
      checkedCommit = Arrays.copyOf(checkedCommit, Math.max(id + 1, 2 * checkedCommit.length));
    }
    if (commit <= checkedCommit[id]) {
      return;
    }
    ensureCapacity(commit);
    for (long i = Math.max(checkedCommit[id] + 1, log.firstIndex()); i <= commit; i++) {
      long t = log.term(i);
      if (committedTerm[(int) i] == 0) {
        committedTerm[(int) i] = t;
        commitTerm[(int) i] = term; // the first to know is the leader that committed it
      } else if (committedTerm[(int) i] != t) {
        fail(Property.STATE_MACHINE_SAFETY, "n" + sn.id + " committed entry " + i + " of term " + t
            + " but term " + committedTerm[(int) i] + " was committed there before");
        return;
      }
    }
    checkedCommit[id] = commit;
    if (commit > maxCommit) {
      maxCommit = commit;
      pruneEntryAt();
    }
  }

  // Log Matching is checked where logs still differ: near the tail. Far below every commit, the
  // committed-term and applied-digest checks take over, and the map stays small.
  private void pruneEntryAt() {
    if (maxCommit - prunedAt >= 4096) {
      prunedAt = maxCommit;
      long below = maxCommit - 8192;
      entryAt.keySet().removeIf(i -> i < below);
      if (agreement != null) {
        agreement.pruneBelow(below);
      }
    }
  }

  /**
   * Checked on every batch of entries a node persists: Leader Append-Only (a leader writes only
   * after its last entry) and Log Matching.
   */
  void onAppend(SimNode sn, List<Entry> ents) {
    Raft r = sn.node.raft();
    if (r.role() == StateRole.LEADER && sn.leaderTerm == r.term()
        && ents.get(0).getIndex() <= sn.leaderLastIndex) {
      fail(Property.LEADER_APPEND_ONLY, "leader n" + sn.id + " of term " + r.term()
          + " rewrote its own entries from index " + ents.get(0).getIndex() + " (its log ended at "
          + sn.leaderLastIndex + ")");
    }
    RaftLog log = r.log();
    long prevTerm = log.term(ents.get(0).getIndex() - 1);
    for (Entry e : ents) {
      Seen seen = entryAt.computeIfAbsent(e.getIndex(), k -> new HashMap<>())
          .putIfAbsent(e.getTerm(), new Seen(e, prevTerm));
      // Entry.equals compares index, term, type and the data's bytes.
      if (seen != null && (!seen.entry().equals(e) || seen.prevTerm() != prevTerm)) {
        fail(Property.LOG_MATCHING, "n" + sn.id + " has entry " + e.getIndex() + "/" + e.getTerm()
            + " with " + (!seen.entry().equals(e) ? "different content"
            : "predecessor term " + prevTerm + " instead of " + seen.prevTerm()));
        return;
      }
      prevTerm = e.getTerm();
    }
  }

  /**
   * Durable before reply (Figure 2), checked as a reply leaves {@code sn}: an acknowledgement of
   * entries up to i finds them on the durable disk, a granted vote finds it in the durable
   * HardState, unless a durable newer term shows the member has legitimately moved on (a newer
   * leader may replace what it acknowledged, §5.3).
   */
  void onReply(SimNode sn, Message m) {
    HardState hs = sn.durable.hardState();
    if (m.getReject() || hs.getTerm() > m.getTerm()) {
      return;
    }
    if (m.getType() == MessageType.MSG_APP_RESP && sn.durable.lastIndex() < m.getIndex()) {
      fail(Property.DURABLE_BEFORE_REPLY, "n" + sn.id + " acknowledged entries up to "
          + m.getIndex() + " to n" + m.getTo() + " but only " + sn.durable.lastIndex()
          + " are on its disk: a crash now loses acknowledged entries");
    } else if (m.getType() == MessageType.MSG_VOTE_RESP
        && (hs.getTerm() != m.getTerm() || hs.getVote() != m.getTo())) {
      fail(Property.DURABLE_BEFORE_REPLY, "n" + sn.id + " granted its vote of term "
          + m.getTerm() + " to n" + m.getTo() + " but its disk holds term " + hs.getTerm()
          + " vote " + hs.getVote() + ": a crash now lets it vote twice");
    }
  }

  /** State Machine Safety: every node applies the same entries, in the same order. */
  void onApply(SimNode sn) {
    long i = sn.appliedIndex;
    if (agreement != null) {
      agreement.onApply(this, sn, i, sn.appliedTerm);
    }
    ensureCapacity(i);
    if (!appliedSeen[(int) i]) {
      appliedSeen[(int) i] = true;
      appliedDigest[(int) i] = sn.digest;
    } else if (appliedDigest[(int) i] != sn.digest) {
      fail(Property.STATE_MACHINE_SAFETY, "n" + sn.id + " applied a different history up to index " + i);
    }
  }

  /** Linearizability of ReadIndex: the state read covers all that was committed at its start. */
  void onReadServed(SimNode sn, long readId, long committedAtStart) {
    if (sn.appliedIndex < committedAtStart) {
      fail(Property.LINEARIZABLE_READS, "read " + readId + " on n" + sn.id + " saw applied index "
          + sn.appliedIndex + " but " + committedAtStart + " was committed before it began");
    }
  }

  private void ensureCapacity(long i) {
    if (i < committedTerm.length) {
      return;
    }
    int n = (int) Math.max(i + 1, committedTerm.length * 2L);
    committedTerm = Arrays.copyOf(committedTerm, n);
    commitTerm = Arrays.copyOf(commitTerm, n);
    appliedDigest = Arrays.copyOf(appliedDigest, n);
    appliedSeen = Arrays.copyOf(appliedSeen, n);
  }
}
