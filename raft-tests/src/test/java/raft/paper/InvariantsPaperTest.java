package raft.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.paper.PaperHarness.node;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.core.Invariants;
import raft.core.StateRole;
import raft.props.BrokenRaft;

/**
 * The paper harness runs {@link Invariants} after every input and every Ready: a node that breaks
 * one fails the test there, by the invariant's name, whatever the test itself asserts.
 */
class InvariantsPaperTest {

  @Test
  @DisplayName("thesis §10.2.1: a leader counting its unpersisted no-op fails the harness by name")
  void brokenLeaderFailsTheHarness() {
    AssertionError e = assertThrows(AssertionError.class,
        () -> node(1).raft(BrokenRaft.LEADER_COUNTS_ITSELF_BEFORE_FSYNC.factory).leader(2));
    assertTrue(e.getMessage().contains("node 1 broke invariant '"
        + Invariants.SELF_MATCH_PERSISTED + "'"), e.getMessage());
  }

  @Test
  @DisplayName("the same election with the real Raft passes the check")
  void realLeaderPasses() {
    PaperNode n = node(1).leader(2);
    assertEquals(StateRole.LEADER, n.role());
    n.propose("x");
    n.checkInvariants();
  }
}
