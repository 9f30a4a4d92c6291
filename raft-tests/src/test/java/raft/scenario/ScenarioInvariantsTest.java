package raft.scenario;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.core.Invariants;
import raft.props.BrokenRaft;

/**
 * The scenario harness runs {@link Invariants} after every input, every Ready and every command:
 * a node that breaks one stops the script there, by the invariant's name.
 */
class ScenarioInvariantsTest {

  @Test
  @DisplayName("thesis §10.2.1: a leader counting unpersisted entries stops the scenario by name")
  void brokenLeaderStopsTheScenario() {
    ScenarioRunner r = new ScenarioRunner(BrokenRaft.LEADER_COUNTS_ITSELF_BEFORE_FSYNC.factory);
    r.run("add-nodes 3");
    r.run("campaign 1");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.run("stabilize"));
    assertTrue(e.getMessage().contains("node 1 broke invariant '"
        + Invariants.SELF_MATCH_PERSISTED + "'"), e.getMessage());
  }

  @Test
  @DisplayName("the same script with the real Raft passes the check")
  void realRaftPasses() {
    ScenarioRunner r = new ScenarioRunner();
    r.run("add-nodes 3");
    r.run("campaign 1");
    assertDoesNotThrow(() -> r.run("stabilize"));
    assertDoesNotThrow(() -> r.run("propose 1 x"));
    assertDoesNotThrow(() -> r.run("stabilize"));
  }
}
