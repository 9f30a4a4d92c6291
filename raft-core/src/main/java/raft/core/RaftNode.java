package raft.core;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import raft.confchange.ConfChanges;
import raft.pb.ConfChange;
import raft.pb.ConfChangeV2;
import raft.pb.ConfState;
import raft.pb.Entry;
import raft.pb.HardState;
import raft.pb.Message;
import raft.pb.MessageType;
import raft.pb.Snapshot;

/**
 * The application's handle on one Raft node (etcd's RawNode). Not thread-safe: one loop owns
 * it. The loop calls {@link #tick} on a timer, {@link #step} for every message from a peer, the
 * request methods for clients, and whenever {@link #hasReady} it takes a {@link Ready}, carries
 * it out in the order the Ready's javadoc states, and calls {@link #advance}.
 */
public final class RaftNode {
  private final Raft raft;
  private SoftState prevSoftState;
  private HardState prevHardState;

  public RaftNode(Config config) {
    this(new Raft(config));
  }

  /** Wraps a given state machine (tests pass deliberately broken subclasses of Raft). */
  public RaftNode(Raft raft) {
    this.raft = raft;
    this.prevSoftState = raft.softState();
    this.prevHardState = raft.hardState();
  }

  /** Advances logical time by one tick (election and heartbeat timeouts count ticks). */
  public void tick() {
    raft.tick();
  }

  /** Starts an election now, as if the election timeout had fired. */
  public void campaign() {
    raft.step(local(MessageType.MSG_HUP).build());
  }

  /** Proposes a command. Returns false if it was dropped (no leader known, or a transfer). */
  public boolean propose(ByteString data) {
    return proposeAll(List.of(data));
  }

  /** Proposes several commands in one message, so they travel in one append (batching). */
  public boolean proposeAll(List<ByteString> commands) {
    Message.Builder m = local(MessageType.MSG_PROP);
    for (ByteString c : commands) {
      m.addEntries(Entry.newBuilder().setData(c));
    }
    return raft.step(m.build());
  }

  /**
   * Proposes a membership change (thesis chapter 4). Returns false if it was dropped: no
   * leader, or the leader may not make it now (one change at a time, §4.1; none before this
   * leader's first entry is committed; an invalid change). A follower forwards it to the leader,
   * which may still drop it: watch for it to be applied.
   */
  public boolean proposeConfChange(ConfChangeV2 cc) {
    return raft.step(local(MessageType.MSG_PROP).addEntries(Membership.entry(cc)).build());
  }

  /** As above, for one change (etcd's v1 ConfChange). */
  public boolean proposeConfChange(ConfChange cc) {
    return proposeConfChange(ConfChanges.toV2(cc));
  }

  /** The configuration in force: the latest in this member's log (thesis §4.1). */
  public ConfState confState() {
    return raft.confState();
  }

  /** Whether a change in this member's log is not applied yet: a new one would be refused. */
  public boolean confChangePending() {
    return raft.earlierChangePending();
  }

  /**
   * Starts a brand-new cluster's log with one committed change per initial member (etcd's
   * Bootstrap), on a member whose storage is empty. Every initial member writes the same entries.
   */
  public void bootstrap(List<ConfChange> members) {
    raft.membership.bootstrap(members);
  }

  /**
   * Asks for a linearizable read (thesis §6.4). When confirmed, a {@link ReadState} with the
   * same {@code requestCtx} appears in a Ready; serve the read once applied reaches its index.
   * Returns false if dropped (no leader known); the caller retries.
   */
  public boolean readIndex(ByteString requestCtx) {
    return raft.step(local(MessageType.MSG_READ_INDEX).setContext(requestCtx).build());
  }

  /** Asks the leader to hand leadership to {@code transferee} (thesis §3.10). */
  public boolean transferLeader(long transferee) {
    return raft.step(Message.newBuilder().setType(MessageType.MSG_TRANSFER_LEADER)
        .setFrom(transferee).build());
  }

  /** The transport failed to deliver to {@code peer}. */
  public void reportUnreachable(long peer) {
    raft.step(Message.newBuilder().setType(MessageType.MSG_UNREACHABLE).setFrom(peer).build());
  }

  /** The transport finished sending a snapshot to {@code peer}, successfully or not. */
  public void reportSnapshot(long peer, boolean ok) {
    raft.step(Message.newBuilder().setType(MessageType.MSG_SNAP_STATUS).setFrom(peer)
        .setReject(!ok).build());
  }

  /**
   * Steps a message received from a peer.
   *
   * @throws IllegalArgumentException for a local-only message type, which must not come from
   *     the network
   */
  public boolean step(Message m) {
    if (isLocalOnly(m.getType())) {
      throw new IllegalArgumentException("message type " + m.getType()
          + " is local and cannot be received from a peer");
    }
    return raft.step(m);
  }

  private static boolean isLocalOnly(MessageType t) {
    return t == MessageType.MSG_HUP || t == MessageType.MSG_BEAT
        || t == MessageType.MSG_UNREACHABLE || t == MessageType.MSG_SNAP_STATUS
        || t == MessageType.MSG_CHECK_QUORUM;
  }

  private Message.Builder local(MessageType t) {
    return Message.newBuilder().setType(t).setFrom(raft.id);
  }

  public boolean hasReady() {
    return softStateChanged()
        || hardStateChanged()
        || raft.log.hasNextUnstableEntries()
        || raft.log.nextUnstableSnapshot() != null
        || !raft.msgs.isEmpty()
        || !raft.msgsAfterPersist.isEmpty()
        || !raft.readStates.isEmpty()
        || raft.log.hasNextCommittedEntries();
  }

  // Compared field by field: hasReady runs after every input, so it should not build objects.
  private boolean softStateChanged() {
    return raft.lead != prevSoftState.lead() || raft.role != prevSoftState.role();
  }

  private boolean hardStateChanged() {
    return raft.currentTerm != prevHardState.getTerm() || raft.votedFor != prevHardState.getVote()
        || raft.log.commitIndex() != prevHardState.getCommit();
  }

  /** What to persist, send and apply now. Call {@link #advance} once it is handed over. */
  public Ready ready() {
    List<Entry> entries = raft.log.nextUnstableEntries();
    Snapshot snapshot = raft.log.nextUnstableSnapshot();
    boolean termOrVoteChanged = raft.currentTerm != prevHardState.getTerm()
        || raft.votedFor != prevHardState.getVote();
    Ready rd = new Ready(
        softStateChanged() ? raft.softState() : null,
        hardStateChanged() ? raft.hardState() : null,
        drain(raft.readStates),
        entries,
        snapshot,
        raft.log.nextCommittedEntries(),
        drain(raft.msgs),
        drain(raft.msgsAfterPersist),
        // A commit-index change alone need not be synced: it can be recovered from a quorum.
        !entries.isEmpty() || snapshot != null || termOrVoteChanged);
    return rd;
  }

  private static <T> List<T> drain(List<T> l) {
    if (l.isEmpty()) {
      return List.of();
    }
    List<T> copy = new ArrayList<>(l);
    l.clear();
    return copy;
  }

  /**
   * The runtime has handed {@code rd} over: sent its messages, queued its writes and its
   * committed entries. Its writes need not be durable yet ({@link #persisted} says when).
   */
  public void advance(Ready rd) {
    if (rd.softState() != null) {
      prevSoftState = rd.softState();
    }
    if (rd.hardState() != null) {
      prevHardState = rd.hardState();
    }
    raft.log.acceptUnstable();
    if (rd.snapshot() != null) {
      raft.log.appliedSnapshot(rd.snapshot().getMetadata().getIndex());
    }
    if (!rd.committedEntries().isEmpty()) {
      raft.log.appliedTo(rd.committedEntries().get(rd.committedEntries().size() - 1).getIndex());
      raft.membership.onApplied();
    }
  }

  /**
   * The writes of {@code rd} (and of every Ready before it) are durable. A leader may now count
   * itself toward a majority for these entries (thesis §10.2.1), and a candidate its own vote.
   */
  public void persisted(Ready rd) {
    if (rd.snapshot() != null) {
      raft.onSnapshotPersisted(rd.snapshot().getMetadata().getIndex());
    }
    if (!rd.entries().isEmpty()) {
      Entry last = rd.entries().get(rd.entries().size() - 1);
      raft.onPersisted(last.getIndex(), last.getTerm());
    }
    if (rd.hardState() != null) {
      raft.onHardStatePersisted(rd.hardState());
    }
  }

  /** Read-only access to the protocol state, for status displays, checkers and tests. */
  public Raft raft() {
    return raft;
  }

  public Status status() {
    return new Status(raft.id, raft.currentTerm, raft.votedFor, raft.role, raft.lead,
        raft.log.commitIndex(), raft.log.lastApplied(), raft.log.lastIndex(), raft.confState());
  }

  /**
   * Whether {@link #status()} would now equal {@code s} (its ConfState the very same object):
   * the loop asks this after every batch and builds a new Status only when something moved.
   */
  public boolean statusIs(Status s) {
    return s != null && s.id() == raft.id && s.term() == raft.currentTerm
        && s.votedFor() == raft.votedFor && s.role() == raft.role && s.lead() == raft.lead
        && s.commitIndex() == raft.log.commitIndex() && s.lastApplied() == raft.log.lastApplied()
        && s.lastIndex() == raft.log.lastIndex() && s.confState() == raft.confState();
  }

  /** A one-line summary of a node, for status tables and traces. */
  public record Status(long id, long term, long votedFor, StateRole role, long lead,
      long commitIndex, long lastApplied, long lastIndex, ConfState confState) {}
}
