package raft.tracker;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import raft.quorum.MajorityConfig;

/**
 * The leader's (and candidate's) book-keeping over the voters: a {@link Progress} per member
 * and the votes received in the current election.
 */
public final class ProgressTracker {
  private MajorityConfig voters;
  private final TreeMap<Long, Progress> progress = new TreeMap<>(); // sorted: deterministic order
  private final Map<Long, Boolean> votes = new HashMap<>();
  private final int maxInflight;
  private final long maxInflightBytes;

  public ProgressTracker(Set<Long> voters, int maxInflight, long maxInflightBytes) {
    this.voters = new MajorityConfig(voters);
    this.maxInflight = maxInflight;
    this.maxInflightBytes = maxInflightBytes;
  }

  public MajorityConfig voters() {
    return voters;
  }

  public void setVoters(Set<Long> ids) {
    voters = new MajorityConfig(ids);
    progress.keySet().retainAll(ids);
  }

  public boolean isSingleton() {
    return voters.size() == 1;
  }

  /**
   * Forgets all progress: followers start probing at lastIndex + 1; the local node starts at
   * what it has persisted ({@code selfMatch}).
   */
  public void resetAll(long lastIndex, long selfId, long selfMatch) {
    progress.clear();
    for (long id : voters.ids()) {
      Progress p = new Progress(0, lastIndex + 1, maxInflight, maxInflightBytes);
      if (id == selfId) {
        p.maybeUpdate(selfMatch); // it advances as the runtime persists our log
        p.becomeReplicate();
      }
      progress.put(id, p);
    }
  }

  public Progress get(long id) {
    return progress.get(id);
  }

  public Map<Long, Progress> all() {
    return progress;
  }

  /** The largest index replicated on a majority (§5.3), by match index. */
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

  /** Records a vote; the first one from each voter counts. */
  public void recordVote(long id, boolean granted) {
    votes.putIfAbsent(id, granted);
  }

  public MajorityConfig.VoteResult tallyVotes() {
    return voters.voteResult(votes);
  }

  public int grantedVotes() {
    return (int) votes.values().stream().filter(v -> v).count();
  }
}
