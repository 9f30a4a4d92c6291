package raft.props;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import raft.core.Config;
import raft.core.Raft;
import raft.core.StateRole;
import raft.lessons.Experiments;
import raft.sim.Property;
import raft.sim.SimConfig;
import raft.sim.SimResult;
import raft.sim.Simulator;

/**
 * Thesis §10.2.1, scripted on the simulator: a leader may send entries before they are on its
 * own disk, but counts itself toward a majority only once they are. Three nodes:
 * <ol>
 *   <li>leader L's disk stalls, and the link from L to G is cut; L appends entry e, which only
 *       follower F receives and acknowledges;</li>
 *   <li>a broken leader counts itself and commits e with F (2 of 3) and tells F; the real one
 *       waits for its own disk;</li>
 *   <li>L crashes: e was never written on its disk. F is cut off; L restarts and, with G, elects
 *       G, whose log lacks e.</li>
 * </ol>
 * The broken variant lost a committed entry, and the checker must say so; the real protocol
 * never committed e, so the same run is safe.
 */
class LeaderSelfCountTest {

  private static Simulator script(Function<Config, Raft> factory, long seed) {
    return script(factory, seed, Set.of(Property.ALL));
  }

  private static Simulator script(Function<Config, Raft> factory, long seed,
      Set<String> checks) {
    SimConfig c = Experiments.quietCluster(3, seed);
    c.checks = checks;
    c.raftFactory = factory;
    c.scriptedBy = "LeaderSelfCountTest";
    Simulator sim = new Simulator(c, Boolean.getBoolean("selfcount.trace")
        ? System.out::println : null);
    sim.start();
    if (!sim.runUntil(() -> leader(sim) != 0, 400)) {
      throw new AssertionError("no leader:\n" + sim.result().report());
    }
    int l = leader(sim);
    int f = l % 3 + 1;
    int g = 6 - l - f;
    sim.proposeAt(l, "everyone");
    sim.runUntil(() -> sim.raft(g).log().commitIndex() == sim.raft(l).log().lastIndex(), 600);
    // 1. L's disk stalls; only F receives the next entry.
    sim.stallDisk(l, true);
    sim.cut(l, g);
    sim.proposeAt(l, "only-on-F");
    long e = sim.raft(l).log().lastIndex();
    // 2. Wait for F to learn that e committed (it never does, with the real rule).
    sim.runUntil(() -> sim.raft(f).log().commitIndex() >= e, sim.nowTicks() + 30);
    // 3. L crashes with e unwritten; G wins with L's vote while F is cut off.
    sim.crashNode(l);
    sim.healNetwork();
    sim.isolateNode(f);
    sim.restartNode(l);
    sim.runUntil(() -> isLeader(sim, g), sim.nowTicks() + 600);
    return sim;
  }

  private static boolean isLeader(Simulator sim, int i) {
    return sim.raft(i) != null && sim.raft(i).role() == StateRole.LEADER;
  }

  private static int leader(Simulator sim) {
    for (int i = 1; i <= 3; i++) {
      if (isLeader(sim, i)) {
        return i;
      }
    }
    return 0;
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4})
  void leaderCountingItselfBeforeItsFsyncIsCaught(long seed) {
    // Without CommittedOnQuorum, which sees the commit on too few disks at once (below): the
    // lost entry itself is caught.
    Set<String> checks = new java.util.HashSet<>(Set.of(Property.ALL));
    checks.remove(Property.COMMITTED_ON_QUORUM);
    SimResult r = script(BrokenRaft.LEADER_COUNTS_ITSELF_BEFORE_FSYNC.factory, seed, checks)
        .result();
    System.out.println("§10.2.1, leader counts itself before its fsync, seed " + seed + ":\n"
        + r.report());
    assertFalse(r.safe(), "the leader lost an entry it had committed alone with F, unnoticed");
    assertTrue(Set.of(Property.LEADER_COMPLETENESS, Property.STATE_MACHINE_SAFETY)
        .contains(r.violatedProperty()), r::report);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4})
  void leaderCountingItselfBeforeItsFsyncIsCaughtAtOnceByCommittedOnQuorum(long seed) {
    SimResult r = script(BrokenRaft.LEADER_COUNTS_ITSELF_BEFORE_FSYNC.factory, seed).result();
    assertFalse(r.safe(), "a commit on one disk of three, unnoticed");
    assertTrue(Property.COMMITTED_ON_QUORUM.equals(r.violatedProperty()), r::report);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4})
  void theRealLeaderWaitsForItsDiskAndStaysSafe(long seed) {
    Simulator sim = script(Raft::new, seed);
    assertTrue(sim.result().safe(), sim.result()::report);
    assertTrue(leader(sim) != 0, "G should lead at the end:\n" + sim.result().report());
  }
}
