package raft.sim;

import java.util.HashSet;
import java.util.Set;

/**
 * The simulated network's fault state: which directed links are cut, and the current drop,
 * duplicate and delay settings. Delays are random per message, so messages reorder.
 */
final class Network {
  // Directed links that are cut, as from * 1_000_000 + to.
  private final Set<Long> cut = new HashSet<>();
  double dropRate;
  double dupRate;
  /** Message delay in time units (a tick is {@link Simulator#TICK}), uniform in [min, max]. */
  int minDelay = 2;
  int maxDelay = 10;

  boolean linked(long from, long to) {
    return cut.isEmpty() || !cut.contains(from * 1_000_000 + to);
  }

  void cutOneWay(long from, long to) {
    cut.add(from * 1_000_000 + to);
  }

  /** Cuts every link between the side {@code a} and every other id up to maxId, both ways. */
  void isolate(Set<Long> a, int maxId) {
    for (long x : a) {
      for (long y = 1; y <= maxId; y++) {
        if (!a.contains(y)) {
          cutOneWay(x, y);
          cutOneWay(y, x);
        }
      }
    }
  }

  boolean partitioned() {
    return !cut.isEmpty();
  }

  void healLinks() {
    cut.clear();
  }

  void calm() {
    dropRate = 0;
    dupRate = 0;
    minDelay = 2;
    maxDelay = 10;
  }
}
