package raft.jepsen.check;

import java.util.List;

/**
 * The verdict of the replica comparison after a run.
 *
 * @param revision the revision every member hashed at
 * @param members how many members were asked
 * @param problems one readable line per member that gave no hash or group that differs
 */
public record ReplicaVerdict(long revision, int members, List<String> problems) {

  public ReplicaVerdict {
    problems = List.copyOf(problems);
  }

  public boolean ok() {
    return problems.isEmpty();
  }
}
