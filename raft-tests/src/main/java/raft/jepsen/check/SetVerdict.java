package raft.jepsen.check;

import java.util.Set;

/**
 * The verdict of the set workload: which acknowledged adds were lost, which elements appeared
 * from nowhere, and which uncertain (info) adds turned out to have happened.
 *
 * @param acknowledged how many adds were acknowledged
 */
public record SetVerdict(Set<String> lost, Set<String> unexpected, Set<String> recovered,
    int acknowledged) {

  public SetVerdict {
    lost = Set.copyOf(lost);
    unexpected = Set.copyOf(unexpected);
    recovered = Set.copyOf(recovered);
  }

  /** Nothing acknowledged was lost and nothing appeared that was never attempted. */
  public boolean ok() {
    return lost.isEmpty() && unexpected.isEmpty();
  }
}
