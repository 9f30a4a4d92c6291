package raft.props;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import raft.core.Raft;
import raft.lessons.Experiments;
import raft.sim.SimConfig;
import raft.sim.SimResult;
import raft.sim.Simulator;

/**
 * §7 in the simulator: a member that was down while the others compacted their logs past its
 * last entry is restarted from its disk and catches up by InstallSnapshot, then by appends, with
 * every safety property checked all along.
 */
class SnapshotCatchUpTest {

  @ParameterizedTest(name = "{0} members, seed {1}")
  @CsvSource({"3, 1", "3, 2", "5, 3", "5, 4"})
  @DisplayName("§7: a member restarted after the leader compacted past its log catches up by snapshot")
  void restartedMemberCatchesUpBySnapshot(int n, long seed) {
    SimConfig c = Experiments.quietCluster(n, seed);
    c.proposalsPerTick = 2;
    c.snapshotEvery = 30;
    c.keepAfterSnapshot = 0; // nothing kept: a lagging member can only be repaired by snapshot
    c.scriptedBy = "SnapshotCatchUpTest";
    Simulator sim = new Simulator(c, null);
    sim.start();
    assertTrue(Experiments.settle(sim, n), "no leader");
    int victim = Experiments.leader(sim, n) % n + 1; // a follower
    sim.crashNode(victim);
    sim.runUntil(() -> false, sim.nowTicks() + 150); // about 300 proposals, several compactions
    int leader = Experiments.leader(sim, n);
    Raft l = sim.raft(leader);
    assertTrue(l.log().firstIndex() > 100, "the leader compacted its log: first index "
        + l.log().firstIndex());
    long target = l.log().commitIndex();
    sim.restartNode(victim);
    boolean caughtUp = sim.runUntil(
        () -> sim.raft(victim).log().lastApplied() >= target, sim.nowTicks() + 100);
    SimResult r = sim.result();
    assertTrue(r.safe(), r::report);
    assertTrue(caughtUp, "n" + victim + " applied only " + sim.raft(victim).log().lastApplied()
        + " of " + target);
    assertTrue(r.stats().snapshotsInstalled >= 1, "no snapshot was installed");
    // And it keeps up by appends afterwards.
    sim.runUntil(() -> false, sim.nowTicks() + 50);
    long leaderCommit = sim.raft(Experiments.leader(sim, n)).log().commitIndex();
    assertTrue(sim.raft(victim).log().commitIndex() >= leaderCommit - 10,
        "n" + victim + " fell behind again after the snapshot");
    assertEquals(true, sim.result().safe(), sim.result()::report);
  }
}
