package raft.props;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.sim.Property;
import raft.sim.SimConfig;
import raft.sim.SimResult;

/**
 * The properties' teeth: each safety property, run against a protocol with one rule broken on
 * purpose, must find a counterexample, and prints the seed that shows it. If a property could
 * not catch its broken rule, it would prove nothing about the real one.
 *
 * <p>The broken commit rule of Figure 8 (§5.4.2) is the exception: random schedules almost never
 * line it up, because a new leader's no-op (§8) hides it. {@link Figure8Test} steers the
 * simulator into it instead, and the same checker catches it there. So is a leader that counts
 * itself before its own fsync (thesis §10.2.1): {@link LeaderSelfCountTest} steers it.
 */
class BrokenVariantsTest {

  /**
   * Searches seeds (3 and 5 nodes alternately) until the broken variant violates one of the
   * given properties; returns that run, or null if none did within maxSeeds.
   */
  static SimResult findCounterexample(BrokenRaft variant, int maxSeeds, Consumer<SimConfig> tune,
      String... properties) {
    for (long seed = 1; seed <= maxSeeds; seed++) {
      SimConfig c = Sims.schedule(seed % 2 == 0 ? 5 : 3, seed, Sims.FIXED_MEMBERSHIP);
      tune.accept(c);
      c.checks = Set.of(properties);
      c.raftFactory = variant.factory;
      SimResult r = Sims.run(c);
      if (!r.safe() && c.checks.contains(r.violatedProperty())) {
        System.out.println(variant + " caught by " + r.violatedProperty() + " at seed " + seed
            + " (replay with this variant):\n" + r.report());
        return r;
      }
    }
    return null;
  }

  private static void assertCaught(BrokenRaft variant, String property) {
    SimResult r = findCounterexample(variant, 300, c -> { }, property);
    assertNotNull(r, variant + " was not caught by " + property + " in 300 seeds");
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
  @DisplayName("Figure 2: a follower acknowledging entries before its fsync is caught by "
      + "DurableBeforeReply")
  void ackBeforeFsyncIsCaught() {
    assertCaught(BrokenRaft.ACK_BEFORE_FSYNC, Property.DURABLE_BEFORE_REPLY);
  }

  @Test
  @DisplayName("§5.3: committing with two acknowledgements of five is caught by"
      + " CommittedOnQuorum (the entry is on two disks, not a majority)")
  void commitWithTwoAcksIsCaught() {
    assertCaught(BrokenRaft.COMMIT_WITH_TWO_ACKS, Property.COMMITTED_ON_QUORUM);
  }

  @Test
  @DisplayName("thesis §6.4: reads without a heartbeat round are caught as stale reads")
  void readWithoutQuorumCheckIsCaught() {
    assertCaught(BrokenRaft.READ_WITHOUT_QUORUM_CHECK, Property.LINEARIZABLE_READS);
  }
}
