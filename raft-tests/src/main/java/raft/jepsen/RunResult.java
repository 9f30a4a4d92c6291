package raft.jepsen;

import java.util.List;
import java.util.Set;
import raft.jepsen.client.Event;
import raft.jepsen.client.ReplicaHashes;
import raft.jepsen.nemesis.FaultWindow;

/**
 * Everything a run recorded, before checking: the history (client ops and the final reads),
 * the fault windows, the set's bookkeeping, the watchers' revisions and the members' hashes at
 * the last revision.
 *
 * @param t0 the run's start on the {@code System.nanoTime()} clock; {@code tEnd} its end
 * @param finalSet the set elements present in the final linearizable read
 * @param watched revisions each watcher saw, in order
 * @param expectedRevisions every revision on the run's prefix from its start to the final read,
 *     as a fresh watcher opened after healing reports them (see {@link Harness})
 * @param replicas every member's hash of its history at {@code lastRevision}, the largest
 *     revision in the final read
 */
public record RunResult(RunConfig config, List<Event> events, List<FaultWindow> windows,
    Set<String> acknowledgedAdds, Set<String> uncertainAdds, Set<String> finalSet,
    List<List<Long>> watched, List<Long> expectedRevisions, List<ReplicaHashes.Hash> replicas,
    long lastRevision, long t0, long tEnd, long clientOps, List<String> notes) {

  /** Client operations per second over the run (final reads excluded). */
  public double opsPerSecond() {
    return clientOps / Math.max(1e-9, config.seconds());
  }
}
