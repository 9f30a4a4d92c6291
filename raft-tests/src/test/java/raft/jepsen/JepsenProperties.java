package raft.jepsen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.constraints.LongRange;
import raft.jepsen.db.RaftKvDb;
import raft.jepsen.nemesis.Fault;
import raft.jepsen.nemesis.Schedule;

/**
 * Issue 6 in the normal test run, bounded: a few seeded fault schedules (kill -9, SIGSTOP,
 * partitions, sometimes two at once) of 12 s each against a real 3-node cluster; every key
 * must be linearizable, no acknowledged add lost, every watcher complete and in order. One
 * cluster per try; a failure names its seed and its report.
 */
class JepsenProperties {
  private static final int SECONDS = 12;
  private static final List<Fault.Kind> ALL = List.of(Fault.Kind.KILL, Fault.Kind.PAUSE,
      Fault.Kind.ISOLATE, Fault.Kind.SPLIT, Fault.Kind.BRIDGE);

  @Property(tries = 2, shrinking = ShrinkingMode.OFF)
  void everyKeyLinearizableNothingLostWatchesCompleteReplicasIdentical(
      @ForAll @LongRange(min = 1, max = 1_000_000) long seed) throws Exception {
    RunConfig cfg = RunConfig.defaults("prop-seed" + seed, seed, SECONDS,
        Schedule.generate(seed, 3, ALL, SECONDS * 1000L));
    Runner.Checked c;
    try (RaftKvDb db = TestClusters.start("props", 150)) {
      c = Runner.run(db, cfg, TestClusters.reports(), line -> { });
    }
    String why = "seed " + seed + " (replay: scripts/jepsen --time " + SECONDS + " --seed "
        + seed + ")\n" + String.join("\n", c.verdicts().lines()) + "\nnotes: "
        + c.result().notes() + "\nfaults: " + c.result().windows() + "\nreport: " + c.report();
    assertTrue(c.result().clientOps() > 100, "the clients made progress: " + why);
    assertTrue(c.verdicts().linearizable(), "every key linearizable: " + why);
    assertTrue(c.verdicts().set().ok(), "no acknowledged add lost: " + why);
    assertTrue(c.verdicts().watch().ok(), "watches complete and in order: " + why);
    assertTrue(c.verdicts().replicas().ok(), "replicas identical (§5.4.3): " + why);
  }
}
