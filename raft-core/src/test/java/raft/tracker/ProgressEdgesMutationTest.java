package raft.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Flow control's edges (§5.3 pipelining, §7 snapshots) and the commit index over a changed voter
 * set. Written against mutants of Progress and ProgressTracker that survived the other tests.
 */
class ProgressEdgesMutationTest {

  @Test
  @DisplayName("§5.3: a heartbeat answer frees an in-flight slot only when the window is full")
  void heartbeatFreesSlotOnlyWhenFull() {
    Progress p = new Progress(0, 1, 3, 0);
    p.becomeReplicate();
    p.sentEntries(1, 1, 10);
    p.sentEntries(1, 2, 10);
    p.onHeartbeatResponse();
    assertEquals(2, p.inflights().count(), "the window was not full: nothing is freed");
    p.sentEntries(1, 3, 10);
    p.onHeartbeatResponse();
    assertEquals(2, p.inflights().count(), "full: the oldest is freed");
  }

  @Test
  @DisplayName("§7: an unreachable follower that is being sent a snapshot stays in SNAPSHOT")
  void unreachableDuringSnapshotStaysSnapshot() {
    Progress p = new Progress(0, 1, 3, 0);
    p.becomeSnapshot(7);
    p.onUnreachable();
    assertEquals(Progress.State.SNAPSHOT, p.state());
    assertEquals(7, p.pendingSnapshot());
  }

  @Test
  @DisplayName("§5.3: a probing follower that is unreachable keeps probing from where it was")
  void unreachableWhileProbingKeepsNextIndex() {
    Progress p = new Progress(2, 9, 3, 0);
    p.onUnreachable();
    assertEquals(Progress.State.PROBE, p.state());
    assertEquals(9, p.nextIndex());
  }

  @Test
  @DisplayName("§5.3: a voter the leader has no progress for counts as matching nothing")
  void voterWithoutProgressMatchesNothing() {
    ProgressTracker t = new ProgressTracker(Set.of(1L, 2L, 3L), 3, 0);
    t.resetAll(5, 1, 5);
    t.get(2).maybeUpdate(5);
    t.setVoters(Set.of(1L, 2L, 3L, 4L, 5L)); // 4 and 5 have no progress yet
    assertEquals(0, t.committed(), "two of five voters hold index 5: not a majority");
  }
}
