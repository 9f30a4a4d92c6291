package raft.props;

import java.util.function.Function;
import raft.core.Config;
import raft.core.Raft;
import raft.pb.Message;
import raft.pb.MessageType;

/**
 * Deliberately broken variants of the protocol, each breaking one rule of the paper. They live
 * only in test code: the safety properties must catch every one of them (the properties' teeth).
 */
public enum BrokenRaft {
  /** Figure 8: commits an old-term entry by counting replicas (breaks §5.4.2). */
  COMMIT_OLD_TERM_BY_COUNTING(c -> new Raft(c) {
    @Override
    protected boolean maybeCommit() {
      long majority = tracker().committed();
      if (majority > log().commitIndex() && majority <= log().lastIndex()) {
        log().commitTo(majority);
        return true;
      }
      return false;
    }
  }),

  /** Grants votes without the up-to-date check (breaks §5.4.1). */
  VOTE_WITHOUT_UP_TO_DATE_CHECK(c -> new Raft(c) {
    @Override
    protected boolean candidateLogUpToDate(Message m) {
      return true;
    }
  }),

  /** Votes for every candidate that asks, even twice in one term (breaks §5.2). */
  VOTE_TWICE_IN_A_TERM(c -> new Raft(c) {
    @Override
    protected boolean canVote(Message m) {
      return true;
    }
  }),

  /** Appends entries without the consistency check on prevLogIndex/prevLogTerm (breaks §5.3). */
  APPEND_WITHOUT_CONSISTENCY_CHECK(c -> new Raft(c) {
    @Override
    protected long acceptEntries(Message m) {
      if (m.getEntriesCount() == 0 || m.getIndex() > log().lastIndex()
          || m.getIndex() < log().commitIndex()) {
        return super.acceptEntries(m);
      }
      // Pretend the previous entry matched: force its term to what the leader claims.
      var ents = m.getEntriesList();
      long last = log().append(ents.subList(0, ents.size()));
      log().commitTo(Math.min(m.getCommit(), last));
      return last;
    }
  }),

  /** A leader stamps new entries right after its commit index, over its own tail (breaks §5.3). */
  OVERWRITE_OWN_TAIL(c -> new Raft(c) {
    @Override
    protected long appendAfter() {
      return log().commitIndex();
    }
  }),

  /**
   * Counts any two members as a majority: commits what the leader and one follower hold, in a
   * cluster of any size (breaks the majority of §5.3 and the odd-size lesson with it).
   */
  COMMIT_WITH_TWO_ACKS(c -> new Raft(c) {
    @Override
    protected boolean maybeCommit() {
      long[] match = tracker().all().values().stream()
          .mapToLong(raft.tracker.Progress::matchIndex).sorted().toArray();
      long secondHighest = match.length < 2 ? match[0] : match[match.length - 2];
      return log().maybeCommit(secondHighest, term());
    }
  }),

  /**
   * A follower acknowledges entries (and grants votes) before they are durable: the replies
   * leave with the Ready's other messages, before its write (breaks Figure 2, "respond to RPCs
   * only after updating stable storage").
   */
  ACK_BEFORE_FSYNC(c -> new Raft(c) {
    @Override
    protected boolean waitsForPersist(MessageType t) {
      return false;
    }
  }),

  /**
   * A leader counts its own new entries toward a majority as soon as it appends them, before
   * its fsync (breaks thesis §10.2.1: it may send before writing, but count only what is
   * durable).
   */
  LEADER_COUNTS_ITSELF_BEFORE_FSYNC(c -> new Raft(c) {
    @Override
    protected long selfPersistedIndex() {
      return log().lastIndex();
    }
  }),

  /** Serves ReadIndex reads without confirming leadership with a heartbeat round (thesis §6.4). */
  READ_WITHOUT_QUORUM_CHECK(c -> new Raft(c) {
    @Override
    protected boolean readNeedsQuorumConfirmation() {
      return false;
    }
  }),

  /**
   * Takes a membership change while an earlier one is not applied yet: two changes in flight,
   * so two configurations in force may have disjoint majorities (breaks thesis §4.1, one at a
   * time).
   */
  TWO_CHANGES_IN_FLIGHT(c -> new Raft(c) {
    @Override
    protected boolean earlierChangePending() {
      return false;
    }
  }),

  /**
   * A new leader proposes a change before an entry of its own term is committed (the
   * single-server change bug of raft-dev, 2015; the fix is its §8 no-op first).
   */
  CHANGE_BEFORE_OWN_TERM_COMMIT(c -> new Raft(c) {
    @Override
    protected boolean ownTermEntryUnapplied() {
      return false;
    }
  }),

  /**
   * Counts a member that joins as holding the leader's whole log at once (its Progress starts
   * with match = the leader's last index), though its log is empty (breaks thesis §4.2.1).
   */
  JOINED_COUNTED_AT_ONCE(c -> new Raft(c) {
    @Override
    protected void initJoinedProgress(raft.tracker.Progress p) {
      p.maybeUpdate(log().lastIndex());
    }
  });

  public final Function<Config, Raft> factory;

  BrokenRaft(Function<Config, Raft> factory) {
    this.factory = factory;
  }
}
