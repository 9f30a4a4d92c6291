package raft.props;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import raft.core.StateRole;
import raft.lessons.Experiments;
import raft.pb.ConfChangeType;
import raft.sim.SimConfig;
import raft.sim.SimResult;
import raft.sim.Simulator;

/**
 * Thesis §4.2.2, scripted on the simulator (found by {@link MembershipProperties}' liveness,
 * e.g. {@code scripts/simulate --nodes 3 --seed 12 --ticks 2000 --faults all --vary}):
 * <ol>
 *   <li>voters {L, F}; L's link to F is cut, and L removes itself: C_new = {F}, in force on
 *       L at once (§4.1), on L's log only;</li>
 *   <li>L loses its quorum and steps down (CheckQuorum) before C_new commits;</li>
 *   <li>the link heals. F lacks C_new, so F's configuration is still {L, F}: F needs L's vote,
 *       and L refuses it (F's log is behind). Only L can finish the change.</li>
 * </ol>
 * "A server that is not part of its own latest configuration should still start new
 * elections, as it might still be needed until the C_new entry is committed" (thesis §4.2.2):
 * L campaigns, wins F's vote (a majority of C_new), commits C_new and steps down; F leads.
 * A member that never campaigns outside its latest configuration leaves the cluster stuck
 * forever.
 */
class RemovedLeaderTest {

  static SimResult script(long seed) {
    SimConfig c = Experiments.quietCluster(2, seed);
    c.bootstrapLog = true;
    c.scriptedBy = "RemovedLeaderTest";
    Simulator sim = new Simulator(c, Boolean.getBoolean("removedleader.trace")
        ? System.out::println : null);
    sim.start();
    if (!Experiments.settle(sim, 2)) {
      throw new AssertionError("no leader:\n" + sim.result().report());
    }
    int l = Experiments.leader(sim, 2);
    int f = 3 - l;
    sim.cut(l, f);
    assertTrue(sim.proposeConfChange(l,
        MembershipTeethTest.change(ConfChangeType.CONF_CHANGE_REMOVE_NODE, l)),
        "the leader refused to remove itself");
    if (!sim.runUntil(() -> sim.raft(l).role() != StateRole.LEADER, sim.nowTicks() + 100)) {
      throw new AssertionError("L kept leading without a quorum:\n" + sim.result().report());
    }
    sim.healNetwork();
    Experiments.Outcome o = Experiments.probe(sim, List.of(l, f), "probe:",
        Experiments.BOUND_TICKS);
    assertTrue(o.result().safe(), o.result()::report);
    assertTrue(o.committed(), "nothing committed within " + Experiments.BOUND_TICKS
        + " ticks after the link healed: the removed leader never finished its change\n"
        + o.result().report());
    return o.result();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4})
  @DisplayName("thesis §4.2.2: a leader that removed itself and stepped down before the change"
      + " committed still campaigns, and finishes the change")
  void removedLeaderFinishesItsChange(long seed) {
    script(seed);
  }
}
