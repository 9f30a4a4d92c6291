package raft.jepsen.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import raft.jepsen.client.ReplicaHashes.Hash;

/**
 * §5.4.3, State Machine Safety: members that applied the log to the same revision hold the
 * same state, so their hashes at that revision are equal. Members that hashed after different
 * compactions are compared only within each compaction (a compaction changes the hash); a
 * member that did not answer is a problem too, since every fault was healed.
 */
public final class ReplicaCheck {
  private ReplicaCheck() {}

  public static ReplicaVerdict check(long revision, List<Hash> hashes) {
    List<String> problems = new ArrayList<>();
    Map<Long, Map<Long, List<String>>> byCompaction = new TreeMap<>();
    for (Hash h : hashes) {
      if (!h.answered()) {
        problems.add(h.endpoint() + " gave no hash at revision " + revision + ": " + h.error());
        continue;
      }
      byCompaction.computeIfAbsent(h.compactRevision(), c -> new TreeMap<>())
          .computeIfAbsent(h.hash(), x -> new ArrayList<>()).add(h.endpoint());
    }
    byCompaction.forEach((compact, groups) -> {
      if (groups.size() > 1) {
        problems.add("replicas differ at revision " + revision + " (compacted at " + compact
            + "): " + groups);
      }
    });
    return new ReplicaVerdict(revision, hashes.size(), problems);
  }
}
