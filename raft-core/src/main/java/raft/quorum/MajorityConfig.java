package raft.quorum;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongUnaryOperator;

/**
 * A set of voters and the majority arithmetic over it (§5.2, §5.3): a quorum is any
 * floor(n/2)+1 of them. Pure functions; the caller supplies each voter's vote or match index.
 */
public final class MajorityConfig {

  /** The outcome of counting votes. */
  public enum VoteResult { PENDING, LOST, WON }

  private final long[] voters; // sorted, distinct

  public MajorityConfig(Set<Long> ids) {
    this.voters = new TreeSet<>(ids).stream().mapToLong(Long::longValue).toArray();
  }

  public Set<Long> ids() {
    TreeSet<Long> s = new TreeSet<>();
    for (long v : voters) {
      s.add(v);
    }
    return s;
  }

  public int size() {
    return voters.length;
  }

  public boolean contains(long id) {
    return Arrays.binarySearch(voters, id) >= 0;
  }

  /** The smallest number of voters that forms a majority. */
  public int quorum() {
    return voters.length / 2 + 1;
  }

  /**
   * The largest index that a majority has acknowledged (§5.3): sort the voters' match indexes
   * in descending order and take the quorum-th. An empty config commits everything (so that a
   * joint configuration would defer to its other half); this class never sees one in practice.
   */
  public long committedIndex(LongUnaryOperator matchIndex) {
    if (voters.length == 0) {
      return Long.MAX_VALUE;
    }
    long[] match = new long[voters.length];
    for (int i = 0; i < voters.length; i++) {
      match[i] = matchIndex.applyAsLong(voters[i]);
    }
    Arrays.sort(match); // ascending: the quorum-th largest is at n - quorum
    return match[voters.length - quorum()];
  }

  /** §5.2: WON with a majority of grants, LOST once a majority can no longer be reached. */
  public VoteResult voteResult(Map<Long, Boolean> votes) {
    if (voters.length == 0) {
      return VoteResult.WON;
    }
    int granted = 0;
    int missing = 0;
    for (long id : voters) {
      Boolean v = votes.get(id);
      if (v == null) {
        missing++;
      } else if (v) {
        granted++;
      }
    }
    int q = quorum();
    if (granted >= q) {
      return VoteResult.WON;
    }
    if (granted + missing >= q) {
      return VoteResult.PENDING;
    }
    return VoteResult.LOST;
  }

  @Override
  public String toString() {
    return Arrays.toString(voters);
  }
}
