package raft.core;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import raft.confchange.ConfHistory;
import raft.log.ConflictHint;
import raft.log.RaftLog;
import raft.pb.ConfState;
import raft.pb.Entry;
import raft.pb.HardState;
import raft.pb.Message;
import raft.pb.MessageType;
import raft.pb.Snapshot;
import raft.quorum.MajorityConfig.VoteResult;
import raft.log.Storage;
import raft.tracker.Progress;
import raft.tracker.ProgressTracker;

/**
 * One node's Raft state machine: terms, votes, elections, and the follower side of replication.
 * The leader's sending side lives in {@link Replication}. Pure and deterministic: inputs are
 * {@link #step} and {@link #tick}; outputs accumulate in {@link #msgs} and {@link #readStates}
 * and leave through {@link RaftNode#ready()}.
 *
 * <p>The protected methods are the rules that tests break on purpose, in test code only, to show
 * that the safety properties catch a broken rule.
 */
public class Raft {
  static final ByteString CAMPAIGN_TRANSFER = ByteString.copyFromUtf8("transfer");

  private enum CampaignType { PRE_ELECTION, ELECTION, TRANSFER }

  final long id;
  // Figure 2, persistent state: currentTerm and votedFor (0 = none) and the log.
  // Checked by Invariants.TERM_NEVER_DECREASES.
  long currentTerm;
  long votedFor;
  final RaftLog log;
  final ProgressTracker trk;
  // Thesis §4.1: the configuration in force is the latest in the log, committed or not.
  final ConfHistory confs;
  // The index of this leader's first entry (its §8 no-op); 0 when not leading.
  long termStartIndex;
  StateRole role = StateRole.FOLLOWER;
  long lead; // the leader of currentTerm as far as we know; 0 = unknown
  long leadTransferee; // thesis §3.10: the node we hand leadership to; 0 = none

  final int electionTimeout;
  final int heartbeatTimeout;
  int randomizedElectionTimeout;
  int electionElapsed; // ticks since we last heard from a leader (or, as leader, since a check)
  int heartbeatElapsed;
  final boolean checkQuorum;
  final boolean preVote;
  private final RandomGenerator random;

  final List<Message> msgs = new ArrayList<>();
  // Responses that promise what is on this member's disk: sent only once the Ready they come
  // in is durable (Figure 2: "respond to RPCs only after updating stable storage").
  final List<Message> msgsAfterPersist = new ArrayList<>();
  final List<ReadState> readStates = new ArrayList<>();
  ReadOnly readOnly = new ReadOnly();
  // Reads that arrived before this leader committed an entry of its own term (thesis §6.4).
  final List<Message> pendingReadIndexMessages = new ArrayList<>();
  final Replication replication;
  final Membership membership;
  private ElectionCounts elections = ElectionCounts.NONE; // for the member's metrics

  public Raft(Config c) {
    c.validate();
    this.id = c.id;
    this.random = c.random;
    this.electionTimeout = c.electionTick;
    this.heartbeatTimeout = c.heartbeatTick;
    this.checkQuorum = c.checkQuorum;
    this.preVote = c.preVote;
    this.log = new RaftLog(c.storage, c.maxCommittedSizePerReady);
    Storage.InitialState st = c.storage.initialState();
    ConfState cs = st.confState();
    if (cs.getVotersCount() == 0 && !c.peers.isEmpty()) {
      cs = ConfState.newBuilder().addAllVoters(new java.util.TreeSet<>(c.peers)).build();
    }
    // Recovery: the snapshot's configuration, then every change in the log after it (not
    // the changes before it that the log still keeps: they are in the snapshot's). With no
    // voters at all this member waits to be sent the log (it joins an existing cluster).
    this.confs = new ConfHistory(cs, st.snapshotIndex());
    confs.onAppend(log.slice(log.firstIndex(), log.lastIndex() + 1, Long.MAX_VALUE),
        log.lastIndex());
    this.trk = new ProgressTracker(confs.current(), c.maxInflightMsgs, c.maxInflightBytes);
    this.replication = new Replication(this, c.maxSizePerMsg);
    this.membership = new Membership(this);
    loadHardState(st.hardState());
    if (c.applied > 0) {
      log.appliedTo(c.applied);
    }
    becomeFollower(currentTerm, 0);
  }

  private void loadHardState(HardState hs) {
    if (hs.getCommit() < log.commitIndex() || hs.getCommit() > log.lastIndex()) {
      if (!hs.equals(HardState.getDefaultInstance())) {
        throw new IllegalStateException("hard state commit " + hs.getCommit()
            + " is out of range [" + log.commitIndex() + ", " + log.lastIndex() + "]");
      }
    }
    log.commitTo(hs.getCommit());
    currentTerm = hs.getTerm();
    votedFor = hs.getVote();
  }

  // ---- accessors, for RaftNode, the simulator's checkers and tests ----

  public long id() {
    return id;
  }

  public long term() {
    return currentTerm;
  }

  public long votedFor() {
    return votedFor;
  }

  public StateRole role() {
    return role;
  }

  public long lead() {
    return lead;
  }

  public long leadTransferee() {
    return leadTransferee;
  }

  public RaftLog log() {
    return log;
  }

  public ProgressTracker tracker() {
    return trk;
  }

  /** The configuration in force (thesis §4.1: the latest in the log). */
  public ConfState confState() {
    return trk.conf();
  }

  /** The configuration as of index {@code i} (at or after the log's snapshot): what a snapshot
   * taken at {@code i} records. */
  public ConfState confStateAt(long i) {
    return confs.at(i);
  }

  /** The index of the latest configuration change in the log. */
  public long lastConfChangeIndex() {
    return confs.lastChangeIndex();
  }

  public int randomizedElectionTimeout() {
    return randomizedElectionTimeout;
  }

  HardState hardState() {
    return HardState.newBuilder()
        .setTerm(currentTerm).setVote(votedFor).setCommit(log.commitIndex()).build();
  }

  SoftState softState() {
    return new SoftState(lead, role);
  }

  // ---- role transitions (§5.1, §5.2) ----

  void becomeFollower(long term, long leader) {
    reset(term);
    lead = leader;
    role = StateRole.FOLLOWER;
  }

  /** Thesis §9.6: ask for pre-votes at term+1 without changing our term or vote. */
  void becomePreCandidate() {
    if (role == StateRole.LEADER) {
      throw new IllegalStateException("invalid transition [leader -> pre-candidate]");
    }
    trk.resetVotes();
    lead = 0;
    role = StateRole.PRE_CANDIDATE;
    elections = elections.preVoteStarted();
  }

  /** §5.2: increment currentTerm, vote for self. */
  void becomeCandidate() {
    if (role == StateRole.LEADER) {
      throw new IllegalStateException("invalid transition [leader -> candidate]");
    }
    reset(currentTerm + 1);
    votedFor = id;
    role = StateRole.CANDIDATE;
    elections = elections.electionStarted();
  }

  void becomeLeader() {
    if (role == StateRole.FOLLOWER) {
      throw new IllegalStateException("invalid transition [follower -> leader]");
    }
    reset(currentTerm);
    lead = id;
    role = StateRole.LEADER;
    // §8: a new leader commits a no-op entry of its own term, which also commits (§5.4.2)
    // whatever earlier-term entries precede it, and unblocks ReadIndex (thesis §6.4).
    replication.appendEntries(List.of(Entry.getDefaultInstance()));
    termStartIndex = log.lastIndex();
  }

  private void reset(long term) {
    if (term != currentTerm) {
      // §5.1: on a new term, forget the vote of the old one.
      currentTerm = term;
      votedFor = 0;
    }
    lead = 0;
    electionElapsed = 0;
    heartbeatElapsed = 0;
    resetRandomizedElectionTimeout();
    leadTransferee = 0;
    trk.resetVotes();
    trk.resetAll(log.lastIndex(), id, log.stableLastIndex());
    termStartIndex = 0;
    readOnly = new ReadOnly();
    pendingReadIndexMessages.clear();
  }

  /** §5.2: election timeouts are chosen randomly from [T, 2T) to split votes rarely. */
  private void resetRandomizedElectionTimeout() {
    randomizedElectionTimeout = electionTimeout + random.nextInt(electionTimeout);
  }

  /** Whether this member may campaign: a voter, or one whose removal is not committed yet. */
  boolean promotable() {
    if (log.unstableSnapshot() != null) {
      return false;
    }
    return trk.voters().contains(id) || membership.removalUncommitted();
  }

  // ---- time ----

  void tick() {
    if (role == StateRole.LEADER) {
      tickHeartbeat();
    } else {
      tickElection();
    }
  }

  private void tickElection() {
    electionElapsed++;
    // §5.2: a follower that hears nothing for an election timeout starts an election.
    if (promotable() && electionElapsed >= randomizedElectionTimeout) {
      electionElapsed = 0;
      step(local(MessageType.MSG_HUP));
    }
  }

  private void tickHeartbeat() {
    heartbeatElapsed++;
    electionElapsed++;
    if (electionElapsed >= electionTimeout) {
      electionElapsed = 0;
      if (checkQuorum) {
        step(local(MessageType.MSG_CHECK_QUORUM));
      }
      // Thesis §3.10: a transfer that has not finished within an election timeout is aborted.
      if (role == StateRole.LEADER && leadTransferee != 0) {
        leadTransferee = 0;
      }
    }
    if (role != StateRole.LEADER) {
      return;
    }
    // §5.2: leaders send periodic heartbeats to maintain their authority.
    if (heartbeatElapsed >= heartbeatTimeout) {
      heartbeatElapsed = 0;
      step(local(MessageType.MSG_BEAT));
    }
  }

  private Message local(MessageType t) {
    return Message.newBuilder().setType(t).setFrom(id).build();
  }

  // ---- step ----

  /**
   * Feeds one message, local or remote, into the state machine. Returns false if it was
   * dropped: a proposal or read with no leader to take it, or during a leadership transfer.
   */
  public boolean step(Message m) {
    if (m.getTerm() > currentTerm) {
      if (!stepHigherTerm(m)) {
        return true;
      }
    } else if (m.getTerm() != 0 && m.getTerm() < currentTerm) {
      stepLowerTerm(m);
      return true;
    }
    switch (m.getType()) {
      case MSG_HUP -> hup(preVote ? CampaignType.PRE_ELECTION : CampaignType.ELECTION);
      case MSG_VOTE, MSG_PRE_VOTE -> handleVoteRequest(m);
      default -> {
        return switch (role) {
          case LEADER -> replication.stepLeader(m);
          case CANDIDATE, PRE_CANDIDATE -> stepCandidate(m);
          case FOLLOWER -> stepFollower(m);
        };
      }
    }
    return true;
  }

  /** A message from a higher term. Returns false if it is to be ignored. */
  private boolean stepHigherTerm(Message m) {
    MessageType t = m.getType();
    if (t == MessageType.MSG_VOTE || t == MessageType.MSG_PRE_VOTE) {
      boolean force = CAMPAIGN_TRANSFER.equals(m.getContext());
      boolean inLease = checkQuorum && lead != 0 && electionElapsed < electionTimeout;
      // Thesis §4.2.3: a node that heard from a live leader within the minimum election
      // timeout ignores vote requests, so a partitioned node rejoining cannot depose it.
      if (!force && inLease) {
        return false;
      }
    }
    if (t == MessageType.MSG_PRE_VOTE || (t == MessageType.MSG_PRE_VOTE_RESP && !m.getReject())) {
      // Thesis §9.6: a pre-vote (or a granted pre-vote reply) carries term+1 but changes no one's
      // term; the candidate raises its term only once a majority granted.
      return true;
    }
    // §5.1: a higher term seen in any RPC makes us a follower of that term.
    boolean fromLeader = t == MessageType.MSG_APP || t == MessageType.MSG_HEARTBEAT
        || t == MessageType.MSG_SNAP;
    becomeFollower(m.getTerm(), fromLeader ? m.getFrom() : 0);
    return true;
  }

  /** §5.1: a request with a stale term is rejected; stale replies are dropped. */
  private void stepLowerTerm(Message m) {
    MessageType t = m.getType();
    if ((checkQuorum || preVote) && (t == MessageType.MSG_HEARTBEAT || t == MessageType.MSG_APP)) {
      // A deposed leader that cannot win elections (pre-vote, or followers in lease) would
      // never learn the new term; tell it, so it steps down.
      send(Message.newBuilder().setTo(m.getFrom()).setType(MessageType.MSG_APP_RESP));
    } else if (t == MessageType.MSG_PRE_VOTE) {
      send(Message.newBuilder().setTo(m.getFrom()).setType(MessageType.MSG_PRE_VOTE_RESP)
          .setTerm(currentTerm).setReject(true));
    }
  }

  private void hup(CampaignType t) {
    if (role == StateRole.LEADER || !promotable()) {
      return;
    }
    campaign(t);
  }

  private void campaign(CampaignType t) {
    long term;
    MessageType voteType;
    if (t == CampaignType.PRE_ELECTION) {
      becomePreCandidate();
      voteType = MessageType.MSG_PRE_VOTE;
      term = currentTerm + 1; // the term we would stand for; ours is unchanged
    } else {
      becomeCandidate();
      voteType = MessageType.MSG_VOTE;
      term = currentTerm;
    }
    // A pre-vote binds nothing and counts at once. A real vote for ourselves counts only once
    // the HardState holding it is durable (onHardStatePersisted): Figure 2, persist before
    // responding, where the candidate responds to itself. Counted earlier, a crash could lose
    // it and let us vote again in the same term (two leaders of one term).
    if (t == CampaignType.PRE_ELECTION && pollAndMaybeWin(id, true, true)) {
      return; // a single-voter cluster wins its pre-vote at once
    }
    // §5.2: issue RequestVote RPCs to every other voter, with our last log position (§5.4.1).
    for (long peer : trk.voters().ids()) {
      if (peer == id) {
        continue;
      }
      Message.Builder m = Message.newBuilder().setTo(peer).setType(voteType).setTerm(term)
          .setIndex(log.lastIndex()).setLogTerm(log.lastTerm());
      if (t == CampaignType.TRANSFER) {
        m.setContext(CAMPAIGN_TRANSFER);
      }
      send(m);
    }
  }

  /** Records a vote and acts on the result. Returns true if the election was decided won. */
  private boolean pollAndMaybeWin(long from, boolean granted, boolean pre) {
    trk.recordVote(from, granted);
    VoteResult r = trk.tallyVotes();
    if (r == VoteResult.WON) {
      if (pre) {
        campaign(CampaignType.ELECTION);
      } else {
        becomeLeader();
        replication.bcastAppend();
      }
      return true;
    }
    if (r == VoteResult.LOST) {
      elections = pre ? elections.preVoteLost() : elections;
      becomeFollower(currentTerm, 0);
    }
    return false;
  }

  /** The elections and pre-vote rounds this member started so far (see the record). */
  public ElectionCounts elections() {
    return elections;
  }

  private void handleVoteRequest(Message m) {
    boolean pre = m.getType() == MessageType.MSG_PRE_VOTE;
    MessageType respType = pre ? MessageType.MSG_PRE_VOTE_RESP : MessageType.MSG_VOTE_RESP;
    if (canVote(m) && candidateLogUpToDate(m)) {
      // A pre-vote reply carries the term it was asked for, so the pre-candidate counts it.
      send(Message.newBuilder().setTo(m.getFrom()).setTerm(m.getTerm()).setType(respType));
      if (!pre) {
        // §5.2: the vote is persisted (HardState) before the reply is sent (Ready contract).
        electionElapsed = 0;
        votedFor = m.getFrom();
      }
    } else {
      send(Message.newBuilder().setTo(m.getFrom()).setTerm(currentTerm).setType(respType)
          .setReject(true));
    }
  }

  /**
   * §5.2: at most one vote per term, first come first served (a repeated request from the same
   * candidate is granted again). A pre-vote for a future term binds nothing.
   */
  protected boolean canVote(Message m) {
    return votedFor == m.getFrom()
        || (votedFor == 0 && lead == 0)
        || (m.getType() == MessageType.MSG_PRE_VOTE && m.getTerm() > currentTerm);
  }

  /** §5.4.1: grant only to a candidate whose log is at least as up-to-date as ours. */
  protected boolean candidateLogUpToDate(Message m) {
    return log.isUpToDate(m.getIndex(), m.getLogTerm());
  }

  private boolean stepCandidate(Message m) {
    boolean pre = role == StateRole.PRE_CANDIDATE;
    MessageType myVoteResp = pre ? MessageType.MSG_PRE_VOTE_RESP : MessageType.MSG_VOTE_RESP;
    switch (m.getType()) {
      case MSG_PROP, MSG_READ_INDEX, MSG_TRANSFER_LEADER -> {
        return false; // no leader to take it
      }
      case MSG_APP -> {
        // §5.2: an AppendEntries from a leader of our term: it won; become its follower.
        becomeFollower(m.getTerm(), m.getFrom());
        handleAppendEntries(m);
      }
      case MSG_HEARTBEAT -> {
        becomeFollower(m.getTerm(), m.getFrom());
        handleHeartbeat(m);
      }
      case MSG_SNAP -> {
        becomeFollower(m.getTerm(), m.getFrom());
        handleSnapshot(m);
      }
      default -> {
        if (m.getType() == myVoteResp) {
          pollAndMaybeWin(m.getFrom(), !m.getReject(), pre);
        }
      }
    }
    return true;
  }

  private boolean stepFollower(Message m) {
    switch (m.getType()) {
      case MSG_PROP, MSG_READ_INDEX, MSG_TRANSFER_LEADER -> {
        if (lead == 0) {
          return false;
        }
        send(m.toBuilder().setTo(lead)); // clients may talk to any member: forward to the leader
      }
      case MSG_APP -> {
        electionElapsed = 0;
        lead = m.getFrom();
        handleAppendEntries(m);
      }
      case MSG_HEARTBEAT -> {
        electionElapsed = 0;
        lead = m.getFrom();
        handleHeartbeat(m);
      }
      case MSG_SNAP -> {
        electionElapsed = 0;
        lead = m.getFrom();
        handleSnapshot(m);
      }
      case MSG_TIMEOUT_NOW -> hup(CampaignType.TRANSFER); // thesis §3.10: skip pre-vote
      case MSG_READ_INDEX_RESP -> readStates.add(new ReadState(m.getIndex(), m.getContext()));
      default -> { }
    }
    return true;
  }

  // ---- the follower side of replication (§5.3, §7) ----

  private void handleAppendEntries(Message m) {
    Message.Builder resp = Message.newBuilder().setTo(m.getFrom())
        .setType(MessageType.MSG_APP_RESP);
    if (m.getIndex() < log.commitIndex()) {
      // Everything up to commitIndex already matches the leader's log (Log Matching).
      send(resp.setIndex(log.commitIndex()));
      return;
    }
    long lastNew = acceptEntries(m);
    if (lastNew >= 0) {
      send(resp.setIndex(lastNew));
      return;
    }
    // §5.3: reply false if the log has no entry at prevLogIndex with prevLogTerm. Hint the
    // leader at the last index whose term is <= prevLogTerm, so it can skip a whole term.
    ConflictHint hint =
        log.findConflictByTerm(Math.min(m.getIndex(), log.lastIndex()), m.getLogTerm());
    send(resp.setIndex(m.getIndex()).setReject(true).setRejectHint(hint.index())
        .setLogTerm(hint.term()));
  }

  /** §5.3 consistency check and append; returns the last new index or -1 on mismatch. */
  protected long acceptEntries(Message m) {
    long lastNew =
        log.maybeAppend(m.getIndex(), m.getLogTerm(), m.getCommit(), m.getEntriesList());
    if (lastNew >= 0) {
      onAppended(m.getEntriesList()); // §4.1: a change takes effect as soon as it is in the log
    }
    return lastNew;
  }

  private void handleHeartbeat(Message m) {
    // The leader sends min(matchIndex, commitIndex), so this never exceeds our log.
    log.commitTo(m.getCommit());
    send(Message.newBuilder().setTo(m.getFrom()).setType(MessageType.MSG_HEARTBEAT_RESP)
        .setContext(m.getContext()));
  }

  private void handleSnapshot(Message m) {
    Snapshot s = m.getSnapshot();
    Message.Builder resp = Message.newBuilder().setTo(m.getFrom())
        .setType(MessageType.MSG_APP_RESP);
    if (restore(s)) {
      send(resp.setIndex(log.lastIndex()));
    } else {
      send(resp.setIndex(log.commitIndex()));
    }
  }

  /** §7: install a snapshot unless our log already covers it. Returns true if installed. */
  private boolean restore(Snapshot s) {
    long index = s.getMetadata().getIndex();
    long term = s.getMetadata().getTerm();
    if (index <= log.commitIndex()) {
      return false;
    }
    if (log.matchTerm(index, term)) {
      // §7: we already have the entry the snapshot ends with: keep the log after it.
      log.commitTo(index);
      return false;
    }
    log.restore(s); // §7: otherwise discard the entire log; the snapshot replaces it
    confs.reset(s.getMetadata().getConfState(), index);
    trk.applyConf(confs.current(), log.lastIndex());
    trk.resetAll(log.lastIndex(), id, log.stableLastIndex());
    return true;
  }

  // ---- outputs ----

  /** Queues a message; fills in our id and, except for requests that carry none, our term. */
  void send(Message.Builder m) {
    if (m.getFrom() == 0) {
      m.setFrom(id);
    }
    MessageType t = m.getType();
    boolean carriesOwnTerm = t == MessageType.MSG_VOTE || t == MessageType.MSG_PRE_VOTE
        || t == MessageType.MSG_VOTE_RESP || t == MessageType.MSG_PRE_VOTE_RESP;
    if (carriesOwnTerm) {
      if (m.getTerm() == 0) {
        throw new IllegalStateException("term should be set when sending " + t);
      }
    } else if (t != MessageType.MSG_PROP && t != MessageType.MSG_READ_INDEX) {
      m.setTerm(currentTerm);
    }
    (waitsForPersist(t) ? msgsAfterPersist : msgs).add(m.build());
  }

  /**
   * Figure 2, "respond to RPCs only after updating stable storage": acknowledgements and votes
   * promise what is on this member's disk, so they leave only once the Ready they come in is
   * durable ({@link Ready#afterPersist}). Everything else may leave at once.
   */
  protected boolean waitsForPersist(MessageType t) {
    return t == MessageType.MSG_APP_RESP || t == MessageType.MSG_VOTE_RESP
        || t == MessageType.MSG_PRE_VOTE_RESP;
  }

  /**
   * The runtime made {@code hs} durable. A candidate whose vote for itself it holds now
   * counts that vote (§5.2: vote for self; Figure 2: only once persisted).
   */
  void onHardStatePersisted(HardState hs) {
    if (role == StateRole.CANDIDATE && hs.getTerm() == currentTerm && hs.getVote() == id
        && votedFor == id) {
      pollAndMaybeWin(id, true, false);
    }
  }

  /** The runtime persisted entries up to (index, term): a leader may now count itself. */
  void onPersisted(long index, long term) {
    log.stableTo(index, term);
    if (role == StateRole.LEADER) {
      replication.countSelf();
    }
  }

  /**
   * Thesis §10.2.1: how far a leader counts itself toward a majority: only what is durable on
   * its own disk, although it sent the entries before writing them.
   */
  protected long selfPersistedIndex() {
    return log.stableLastIndex();
  }

  void onSnapshotPersisted(long index) {
    log.stableSnapTo(index);
  }

  /** §5.3 Leader Append-Only: new entries go after the leader's last entry, never over one. */
  protected long appendAfter() {
    return log.lastIndex();
  }

  /** The rule of commitment, overridable by tests that break it on purpose (Figure 8). */
  protected boolean maybeCommit() {
    // §5.4.2: only entries from the current term are committed by counting replicas.
    return log.maybeCommit(trk.committed(), currentTerm);
  }

  /**
   * Whether a leader must confirm its leadership with a heartbeat round before serving a read
   * (thesis §6.4). Always true; a test overrides it to show stale reads are caught.
   */
  protected boolean readNeedsQuorumConfirmation() {
    return true;
  }

  // ---- membership changes (thesis chapter 4); the mechanics live in Membership ----

  /** Log entries {@code ents} were just written from their first index on. */
  void onAppended(List<Entry> ents) {
    if (confs.onAppend(ents, log.lastIndex())) {
      membership.switchToConfig();
    }
  }

  /**
   * Thesis §4.1: one change at a time: refuse a change while the latest one in the log is not
   * yet applied, so every configuration in force differs from the next by one step.
   */
  protected boolean earlierChangePending() {
    return confs.lastChangeIndex() > log.lastApplied();
  }

  /**
   * The fix for the single-server change bug (raft-dev, 2015; thesis §4.1 errata): a leader
   * proposes no change before an entry of its own term (the §8 no-op) is committed and applied.
   */
  protected boolean ownTermEntryUnapplied() {
    return log.lastApplied() < termStartIndex;
  }

  /**
   * Thesis §4.2.1: a member that joins starts with an empty log as far as the leader knows:
   * it counts toward a majority only for what it acknowledges. A test overrides this to count
   * it at once.
   */
  protected void initJoinedProgress(Progress p) {
    // nothing: matchIndex 0, probed from the leader's last index
  }
}
