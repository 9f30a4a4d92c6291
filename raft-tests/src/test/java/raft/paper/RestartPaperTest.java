package raft.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.paper.PaperHarness.node;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.core.StateRole;

/**
 * Figure 2's persistent state read back at a restart: currentTerm, votedFor and the log come from
 * stable storage, and a stored commit index that the stored log cannot hold is corruption, not
 * something to run on. Written against mutants of the restart path that survived.
 */
class RestartPaperTest {

  @Test
  @DisplayName("Figure 2: a restarted node resumes currentTerm, votedFor and its commit index "
      + "from stable storage, as a follower that knows no leader")
  void resumesPersistentState() {
    PaperNode n = node(1).log(1, 1, 2).hardState(2, 3, 2).build();
    assertEquals(2, n.term());
    assertEquals(3, n.raft().votedFor());
    assertEquals(2, n.commit());
    assertEquals(3, n.raft().log().lastIndex());
    assertEquals(StateRole.FOLLOWER, n.role());
    assertEquals(0, n.raft().lead());
  }

  @Test
  @DisplayName("Figure 2: a stored commit index beyond the stored log is refused at start")
  void commitBeyondLogIsRefused() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> node(1).log(1, 1).hardState(1, 0, 3).build());
    assertTrue(e.getMessage().contains("out of range"), e.getMessage());
  }

  @Test
  @DisplayName("§7: a stored commit index below the snapshot (which holds only committed state) "
      + "is refused at start")
  void commitBelowSnapshotIsRefused() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> node(1).log(1, 1, 1, 1).hardState(1, 0, 2).compactedAt(3).build());
    assertTrue(e.getMessage().contains("out of range"), e.getMessage());
  }

  @Test
  @DisplayName("§7: a node that starts from a snapshot and no HardState yet counts the snapshot "
      + "as committed and applied")
  void snapshotWithoutHardStateStarts() {
    PaperNode n = node(1).log(1, 1, 1, 2).compactedAt(3).build();
    assertEquals(3, n.commit());
    assertEquals(3, n.raft().log().lastApplied());
    assertEquals(0, n.term());
  }

  @Test
  @DisplayName("Figure 2: a stored commit index equal to the last stored entry is valid")
  void commitAtLastIndexIsValid() {
    PaperNode n = node(1).log(1, 1, 1).hardState(1, 0, 3).build();
    assertEquals(3, n.commit());
    n.persist();
    assertEquals(3, n.applied.size(), "entries 1-3 are handed to the state machine");
  }
}
