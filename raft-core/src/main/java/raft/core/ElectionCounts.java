package raft.core;

/**
 * How many elections this member started as a candidate (§5.2: each one a new term), how many
 * pre-vote rounds (thesis §9.6), won or not, and how many of those a majority refused: the
 * member went back to following without bumping its term, which is the whole point of pre-vote
 * (a partitioned member cannot disrupt). For the member's metrics. Immutable: the protocol
 * replaces it on each change, which is rare, so any thread may keep one it was handed.
 */
public record ElectionCounts(long electionsStarted, long preVotesStarted, long preVotesLost) {
  public static final ElectionCounts NONE = new ElectionCounts(0, 0, 0);

  ElectionCounts electionStarted() {
    return new ElectionCounts(electionsStarted + 1, preVotesStarted, preVotesLost);
  }

  ElectionCounts preVoteStarted() {
    return new ElectionCounts(electionsStarted, preVotesStarted + 1, preVotesLost);
  }

  ElectionCounts preVoteLost() {
    return new ElectionCounts(electionsStarted, preVotesStarted, preVotesLost + 1);
  }
}
