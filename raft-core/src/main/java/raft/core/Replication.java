package raft.core;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import raft.pb.Entry;
import raft.pb.Message;
import raft.pb.MessageType;
import raft.pb.Snapshot;
import raft.log.Storage;
import raft.tracker.Progress;

/**
 * The leader's side of Raft: accepting proposals, replicating the log to followers with flow
 * control (§5.3), advancing commitIndex (§5.4.2), CheckQuorum, ReadIndex (thesis §6.4) and
 * leadership transfer (thesis §3.10). Split out of {@link Raft} so that neither grows into one
 * long step function.
 */
final class Replication {
  private final Raft r;
  private final long maxMsgSize;

  Replication(Raft r, long maxMsgSize) {
    this.r = r;
    this.maxMsgSize = maxMsgSize;
  }

  boolean stepLeader(Message m) {
    switch (m.getType()) {
      case MSG_BEAT -> bcastHeartbeat();
      case MSG_CHECK_QUORUM -> checkQuorum();
      case MSG_PROP -> {
        return propose(m);
      }
      case MSG_READ_INDEX -> readIndex(m);
      case MSG_TRANSFER_LEADER -> transferLeader(m.getFrom());
      default -> stepFromFollower(m);
    }
    return true;
  }

  private void stepFromFollower(Message m) {
    Progress pr = r.trk.get(m.getFrom());
    if (pr == null) {
      return; // not a member
    }
    switch (m.getType()) {
      case MSG_APP_RESP -> {
        pr.setRecentActive(true);
        if (m.getReject()) {
          handleAppendRejected(m, pr);
        } else {
          handleAppendAccepted(m, pr);
        }
      }
      case MSG_HEARTBEAT_RESP -> handleHeartbeatResponse(m, pr);
      case MSG_SNAP_STATUS -> pr.onSnapshotSent(!m.getReject());
      case MSG_UNREACHABLE -> pr.onUnreachable();
      default -> { }
    }
  }

  // ---- proposals ----

  private boolean propose(Message m) {
    if (m.getEntriesCount() == 0) {
      throw new IllegalArgumentException("stepped empty MsgProp");
    }
    if (!r.trk.voters().contains(r.id)) {
      return false; // removed from the cluster: do not lead it
    }
    if (r.leadTransferee != 0) {
      return false; // thesis §3.10: refuse proposals while handing leadership over
    }
    if (r.membership.refusal(m.getEntriesList()) != null) {
      return false; // a membership change that may not be made now
    }
    appendEntries(m.getEntriesList());
    bcastAppend();
    return true;
  }

  /** §5.3: the leader appends new entries to its own log, stamped with its term and index. */
  void appendEntries(List<Entry> ents) {
    long li = r.appendAfter();
    List<Entry> stamped = new ArrayList<>(ents.size());
    for (int i = 0; i < ents.size(); i++) {
      stamped.add(ents.get(i).toBuilder().setTerm(r.currentTerm).setIndex(li + 1 + i).build());
    }
    // Leader Append-Only (§5.3): the leader never overwrites or deletes its own entries.
    r.log.append(stamped);
    r.onAppended(stamped); // §4.1: a change takes effect once in the leader's log
    // The leader counts itself toward the majority only up to what is durable (thesis
    // §10.2.1): nothing new here, so this changes nothing, unless a test broke the rule.
    countSelf();
  }

  /** The leader's own entry in the majority: its durable log (Raft.selfPersistedIndex). */
  void countSelf() {
    Progress self = r.trk.get(r.id);
    if (self != null && self.maybeUpdate(r.selfPersistedIndex()) && r.maybeCommit()) {
      onCommitAdvanced();
    }
  }

  void onCommitAdvanced() {
    releasePendingReadIndexMessages();
    bcastAppend(); // tell followers the new commitIndex
    r.membership.onCommitted();
  }

  // ---- sending appends (§5.3) ----

  void bcastAppend() {
    for (long peer : r.trk.all().keySet()) {
      if (peer != r.id) {
        maybeSendAppend(peer, true);
      }
    }
  }

  void sendAppend(long to) {
    maybeSendAppend(to, true);
  }

  /**
   * Sends entries from the follower's nextIndex, or a snapshot if they were compacted away (§7).
   * Returns true if a message was sent; false if the follower is paused by flow control, or if
   * there is nothing to send and {@code sendIfEmpty} is false.
   */
  private boolean maybeSendAppend(long to, boolean sendIfEmpty) {
    Progress pr = r.trk.get(to);
    if (pr == null || pr.isPaused()) {
      return false;
    }
    long prevIndex = pr.nextIndex() - 1;
    long prevTerm = r.log.term(prevIndex);
    if (pr.nextIndex() < r.log.firstIndex() || (prevIndex > 0 && prevTerm == 0)) {
      return sendSnapshot(to, pr); // §7: what the follower needs next was compacted away
    }
    List<Entry> ents;
    try {
      ents = r.log.entries(pr.nextIndex(), maxMsgSize);
    } catch (Storage.CompactedException e) {
      return sendSnapshot(to, pr); // the storage itself reports the entries compacted
    }
    if (ents.isEmpty() && !sendIfEmpty) {
      return false;
    }
    long bytes = 0;
    for (Entry e : ents) {
      bytes += e.getSerializedSize();
    }
    r.send(Message.newBuilder().setTo(to).setType(MessageType.MSG_APP).setIndex(prevIndex)
        .setLogTerm(prevTerm).addAllEntries(ents).setCommit(r.log.commitIndex()));
    pr.sentEntries(ents.size(), prevIndex + ents.size(), bytes);
    return true;
  }

  /** §7: the follower needs entries we discarded; send it our latest snapshot instead. */
  private boolean sendSnapshot(long to, Progress pr) {
    if (!pr.recentActive()) {
      return false; // do not ship a snapshot to a node we have not heard from lately
    }
    Snapshot snap = r.log.snapshot();
    if (snap.getMetadata().getIndex() == 0) {
      throw new IllegalStateException("need a non-empty snapshot to repair node " + to);
    }
    r.send(Message.newBuilder().setTo(to).setType(MessageType.MSG_SNAP).setSnapshot(snap));
    pr.becomeSnapshot(snap.getMetadata().getIndex());
    return true;
  }

  private void handleAppendRejected(Message m, Progress pr) {
    long hint = m.getRejectHint();
    if (m.getLogTerm() > 0) {
      // Fast backtracking: the follower's entry at hint has term logTerm. Every entry of ours
      // whose term is above logTerm cannot match it, so jump to the last index with a term
      // <= logTerm: one round trip per term of divergence, not per entry.
      hint = r.log.findConflictByTerm(hint, m.getLogTerm()).index();
    }
    if (pr.onAppendRejected(m.getIndex(), hint)) {
      sendAppend(m.getFrom());
    }
  }

  private void handleAppendAccepted(Message m, Progress pr) {
    if (!pr.onAppendAccepted(m.getIndex(), r.log.firstIndex())) {
      return; // stale: it tells us nothing new
    }
    if (r.maybeCommit()) {
      onCommitAdvanced();
    } else {
      // Pipelining: fill the in-flight window with whatever is not yet sent.
      while (maybeSendAppend(m.getFrom(), false)) {
        // keep sending
      }
    }
    // Thesis §3.10: once the transferee's log is up to date, tell it to campaign at once.
    if (m.getFrom() == r.leadTransferee && pr.matchIndex() == r.log.lastIndex()) {
      sendTimeoutNow(m.getFrom());
    }
  }

  // ---- heartbeats, CheckQuorum ----

  /** Heartbeats carry a round number: ReadIndex reads wait for a majority to answer one. */
  void bcastHeartbeat() {
    ByteString round = encodeRound(r.readOnly.startRound());
    for (var e : r.trk.all().entrySet()) {
      if (e.getKey() == r.id) {
        continue;
      }
      // Never claim a commit the follower may not have: min(matchIndex, commitIndex).
      long commit = Math.min(e.getValue().matchIndex(), r.log.commitIndex());
      r.send(Message.newBuilder().setTo(e.getKey()).setType(MessageType.MSG_HEARTBEAT)
          .setCommit(commit).setContext(round));
    }
  }

  private void handleHeartbeatResponse(Message m, Progress pr) {
    pr.setRecentActive(true);
    pr.onHeartbeatResponse();
    if (pr.matchIndex() < r.log.lastIndex()) {
      sendAppend(m.getFrom());
    }
    if (m.getContext().size() != Long.BYTES) {
      return;
    }
    long round = decodeRound(m.getContext());
    for (ReadOnly.Pending p : r.readOnly.ack(m.getFrom(), round, r.trk.voters(), r.id)) {
      respondToRead(p.request(), p.index());
    }
    if (r.readOnly.needsRound() && !r.readOnly.roundInFlight()) {
      bcastHeartbeat(); // reads arrived while the last round was in flight: confirm them now
    }
  }

  /** CheckQuorum: a leader that has not heard from a majority in an election timeout steps down. */
  private void checkQuorum() {
    // Thesis §6.2: a leader steps down if an election timeout passes without a round of
    // heartbeats to a majority, so a partitioned leader stops accepting requests it cannot commit.
    if (!r.trk.quorumActive(r.id)) {
      r.becomeFollower(r.currentTerm, 0);
      return;
    }
    r.trk.resetRecentActive(r.id);
  }

  // ---- ReadIndex (thesis §6.4) ----

  private void readIndex(Message m) {
    // Thesis §6.4: until this leader commits an entry of its own term, its commitIndex may lag
    // the real one (even alone: a commit index is not fsynced); hold reads until the no-op of §8
    // commits.
    if (r.log.term(r.log.commitIndex()) != r.currentTerm) {
      r.pendingReadIndexMessages.add(m);
      return;
    }
    if (r.trk.isSingleton(r.id) || !r.readNeedsQuorumConfirmation()) {
      respondToRead(m, r.log.commitIndex()); // our own vote is the quorum
      return;
    }
    r.readOnly.add(r.log.commitIndex(), m);
    if (!r.readOnly.roundInFlight()) {
      bcastHeartbeat();
    }
  }

  private void releasePendingReadIndexMessages() {
    if (r.pendingReadIndexMessages.isEmpty()
        || r.log.term(r.log.commitIndex()) != r.currentTerm) {
      return;
    }
    List<Message> msgs = new ArrayList<>(r.pendingReadIndexMessages);
    r.pendingReadIndexMessages.clear();
    for (Message m : msgs) {
      readIndex(m);
    }
  }

  private void respondToRead(Message req, long index) {
    if (req.getFrom() == r.id) {
      r.readStates.add(new ReadState(index, req.getContext()));
    } else {
      r.send(Message.newBuilder().setTo(req.getFrom()).setType(MessageType.MSG_READ_INDEX_RESP)
          .setIndex(index).setContext(req.getContext()));
    }
  }

  static ByteString encodeRound(long round) {
    byte[] b = new byte[Long.BYTES];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (round >>> (56 - 8 * i));
    }
    return ByteString.copyFrom(b);
  }

  static long decodeRound(ByteString b) {
    long round = 0;
    for (int i = 0; i < Long.BYTES; i++) {
      round = (round << 8) | (b.byteAt(i) & 0xff);
    }
    return round;
  }

  // ---- leadership transfer (thesis §3.10) ----

  private void transferLeader(long transferee) {
    if (!r.trk.voters().contains(transferee) || transferee == r.id) {
      return;
    }
    if (r.leadTransferee == transferee) {
      return; // already in progress
    }
    r.leadTransferee = transferee;
    r.electionElapsed = 0; // the transfer must finish within one election timeout
    Progress pr = r.trk.get(transferee);
    if (pr.matchIndex() == r.log.lastIndex()) {
      sendTimeoutNow(transferee);
    } else {
      sendAppend(transferee); // bring it up to date first
    }
  }

  private void sendTimeoutNow(long to) {
    r.send(Message.newBuilder().setTo(to).setType(MessageType.MSG_TIMEOUT_NOW));
  }
}
