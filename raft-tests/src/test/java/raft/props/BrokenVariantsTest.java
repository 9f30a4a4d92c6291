package raft.props;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.sim.Property;
import raft.sim.SimConfig;
import raft.sim.SimConfig.Fault;
import raft.sim.SimResult;

/**
 * The properties' teeth: each safety property, run against a protocol with one rule broken on
 * purpose, must find a counterexample, and print the seed that shows it. If a property could not
 * catch its broken rule, it would prove nothing about the real one.
 */
class BrokenVariantsTest {
  private static final int MAX_SEEDS = 2000;

  /** Searches seeds (3 and 5 nodes, all faults) until the broken variant violates property. */
  private static SimResult findCounterexample(BrokenRaft variant, String property) {
    for (long seed = 1; seed <= MAX_SEEDS; seed++) {
      SimConfig c = new SimConfig();
      c.nodes = seed % 2 == 0 ? 5 : 3;
      c.seed = seed;
      c.ticks = Sims.TICKS;
      c.faults = EnumSet.allOf(Fault.class);
      c.vary();
      c.checks = Set.of(property);
      c.raftFactory = variant.factory;
      SimResult r = Sims.run(c);
      if (!r.safe()) {
        System.out.println(variant + " caught by " + property + " after " + seed + " seeds:\n"
            + r.report());
        return r;
      }
    }
    return null;
  }

  private static void assertCaught(BrokenRaft variant, String property) {
    SimResult r = findCounterexample(variant, property);
    assertNotNull(r, variant + " was not caught by " + property + " in " + MAX_SEEDS + " seeds");
    assertEquals(property, r.violatedProperty());
  }

  @Test
  @DisplayName("§5.4.2 (Figure 8): committing an old-term entry by counting replicas is caught")
  void figure8IsCaught() {
    assertCaught(BrokenRaft.COMMIT_OLD_TERM_BY_COUNTING, Property.STATE_MACHINE_SAFETY);
  }

  @Test
  @DisplayName("§5.4.1: voting without the up-to-date check is caught by Leader Completeness")
  void voteWithoutUpToDateCheckIsCaught() {
    assertCaught(BrokenRaft.VOTE_WITHOUT_UP_TO_DATE_CHECK, Property.LEADER_COMPLETENESS);
  }

  @Test
  @DisplayName("§5.2: voting twice in one term is caught by Election Safety")
  void voteTwiceIsCaught() {
    assertCaught(BrokenRaft.VOTE_TWICE_IN_A_TERM, Property.ELECTION_SAFETY);
  }

  @Test
  @DisplayName("§5.3: appending without the consistency check is caught by Log Matching")
  void appendWithoutConsistencyCheckIsCaught() {
    assertCaught(BrokenRaft.APPEND_WITHOUT_CONSISTENCY_CHECK, Property.LOG_MATCHING);
  }

  @Test
  @DisplayName("§5.3: a leader overwriting its own tail is caught by Leader Append-Only")
  void overwriteOwnTailIsCaught() {
    assertCaught(BrokenRaft.OVERWRITE_OWN_TAIL, Property.LEADER_APPEND_ONLY);
  }

  @Test
  @DisplayName("thesis §6.4: reads without a heartbeat round are caught as stale reads")
  void readWithoutQuorumCheckIsCaught() {
    assertCaught(BrokenRaft.READ_WITHOUT_QUORUM_CHECK, Property.LINEARIZABLE_READS);
  }
}
