package raft.quorum;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongUnaryOperator;

/**
 * Thesis §4.3, joint consensus: during a change of many voters the cluster decides with a
 * majority of the new voters ({@code incoming}, C_new) and, separately, a majority of the old
 * ones ({@code outgoing}, C_old). Outside a change, outgoing is empty and defers to incoming,
 * so the same code serves both. Elections, commitment and ReadIndex all count through here.
 */
public final class JointConfig {
  private final MajorityConfig incoming;
  private final MajorityConfig outgoing;

  public JointConfig(Set<Long> incoming, Set<Long> outgoing) {
    this.incoming = new MajorityConfig(incoming);
    this.outgoing = new MajorityConfig(outgoing);
  }

  public MajorityConfig incoming() {
    return incoming;
  }

  public MajorityConfig outgoing() {
    return outgoing;
  }

  public boolean isJoint() {
    return outgoing.size() > 0;
  }

  /** Every voter of either half, sorted. */
  public Set<Long> ids() {
    TreeSet<Long> all = new TreeSet<>(incoming.ids());
    all.addAll(outgoing.ids());
    return all;
  }

  /** How many distinct voters there are, in both halves together. */
  public int size() {
    return ids().size();
  }

  public boolean contains(long id) {
    return incoming.contains(id) || outgoing.contains(id);
  }

  /** §4.3: an entry is committed once a majority of each half has it. */
  public long committedIndex(LongUnaryOperator matchIndex) {
    return Math.min(incoming.committedIndex(matchIndex), outgoing.committedIndex(matchIndex));
  }

  /** §4.3: an election is won with a majority of each half, lost once either is out of reach. */
  public MajorityConfig.VoteResult voteResult(Map<Long, Boolean> votes) {
    MajorityConfig.VoteResult in = incoming.voteResult(votes);
    MajorityConfig.VoteResult out = outgoing.voteResult(votes);
    if (in == out) {
      return in;
    }
    if (in == MajorityConfig.VoteResult.LOST || out == MajorityConfig.VoteResult.LOST) {
      return MajorityConfig.VoteResult.LOST;
    }
    return MajorityConfig.VoteResult.PENDING;
  }

  @Override
  public String toString() {
    return isJoint() ? incoming + "&&" + outgoing : incoming.toString();
  }
}
