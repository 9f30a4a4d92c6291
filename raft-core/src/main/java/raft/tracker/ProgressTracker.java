package raft.tracker;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import raft.confchange.ConfChanges;
import raft.pb.ConfState;
import raft.quorum.JointConfig;
import raft.quorum.MajorityConfig;

/**
 * The leader's (and candidate's) book-keeping over the configuration in force: who votes (a
 * {@link JointConfig}, joint during a change of many voters, thesis §4.3), who only learns, a
 * {@link Progress} per member, and the votes received in the current election.
 */
public final class ProgressTracker {
  private JointConfig voters;
  private ConfState conf;
  private final TreeMap<Long, Progress> progress = new TreeMap<>(); // sorted: deterministic order
  private final Map<Long, Boolean> votes = new HashMap<>();
  private final int maxInflight;
  private final long maxInflightBytes;

  public ProgressTracker(Set<Long> voters, int maxInflight, long maxInflightBytes) {
    this(ConfState.newBuilder().addAllVoters(voters).build(), maxInflight, maxInflightBytes);
  }

  public ProgressTracker(ConfState conf, int maxInflight, long maxInflightBytes) {
    this.maxInflight = maxInflight;
    this.maxInflightBytes = maxInflightBytes;
    setConf(conf);
  }

  public JointConfig voters() {
    return voters;
  }

  /** The configuration in force, as a snapshot would record it. */
  public ConfState conf() {
    return conf;
  }

  /** Replaces the voters only (tests); learners are dropped. */
  public void setVoters(Set<Long> ids) {
    setConf(ConfState.newBuilder().addAllVoters(ids).build());
  }

  /**
   * Switches to configuration {@code cs}. Members that left lose their progress; members that
   * joined get a fresh one, known to match nothing (§4.2.1: a new server's log is empty until
   * the leader learns otherwise) and probed at {@code lastIndex + 1}.
   */
  public void applyConf(ConfState cs, long lastIndex) {
    setConf(cs);
    for (long id : ConfChanges.members(cs)) {
      if (!progress.containsKey(id)) {
        Progress p = newProgress(id, lastIndex);
        p.setRecentActive(true); // give it an election timeout before CheckQuorum counts it
        progress.put(id, p);
      }
    }
    markLearners();
  }

  private void setConf(ConfState cs) {
    conf = cs;
    voters = new JointConfig(Set.copyOf(cs.getVotersList()),
        Set.copyOf(cs.getVotersOutgoingList()));
    progress.keySet().retainAll(ConfChanges.members(cs));
    markLearners();
  }

  private void markLearners() {
    progress.forEach((id, p) -> p.setLearner(!voters.contains(id)));
  }

  private Progress newProgress(long id, long lastIndex) {
    return new Progress(0, lastIndex + 1, maxInflight, maxInflightBytes);
  }

  /** Whether {@code self} is the only voter: its own vote is a majority. */
  public boolean isSingleton(long self) {
    return voters.size() == 1 && voters.contains(self);
  }

  /**
   * Forgets all progress: followers start probing at lastIndex + 1; the local node starts at
   * what it has persisted ({@code selfMatch}).
   */
  public void resetAll(long lastIndex, long selfId, long selfMatch) {
    progress.clear();
    for (long id : ConfChanges.members(conf)) {
      Progress p = new Progress(0, lastIndex + 1, maxInflight, maxInflightBytes);
      if (id == selfId) {
        p.maybeUpdate(selfMatch); // it advances as the runtime persists our log
        p.becomeReplicate();
      }
      progress.put(id, p);
    }
    markLearners();
  }

  public Progress get(long id) {
    return progress.get(id);
  }

  public Map<Long, Progress> all() {
    return progress;
  }

  /** The largest index replicated on a majority (§5.3; of each half when joint, §4.3). */
  public long committed() {
    return voters.committedIndex(id -> {
      Progress p = progress.get(id);
      return p == null ? 0 : p.matchIndex();
    });
  }

  /**
   * CheckQuorum: did a majority (counting ourselves) talk to us since the last check? Clears the
   * flags for the next round.
   */
  public boolean quorumActive(long selfId) {
    Map<Long, Boolean> active = new HashMap<>();
    for (Map.Entry<Long, Progress> e : progress.entrySet()) {
      active.put(e.getKey(), e.getKey() == selfId || e.getValue().recentActive());
    }
    return voters.voteResult(active) == MajorityConfig.VoteResult.WON;
  }

  public void resetRecentActive(long selfId) {
    progress.forEach((id, p) -> p.setRecentActive(id == selfId));
  }

  public void resetVotes() {
    votes.clear();
  }

  /** Records a vote; the first one from each voter counts (learners' are never tallied). */
  public void recordVote(long id, boolean granted) {
    votes.putIfAbsent(id, granted);
  }

  public MajorityConfig.VoteResult tallyVotes() {
    return voters.voteResult(votes);
  }

  public int grantedVotes() {
    return (int) votes.entrySet().stream()
        .filter(e -> e.getValue() && voters.contains(e.getKey())).count();
  }
}
