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
 * Issue 14's nemesis in the normal test run, bounded: one seeded schedule of 30 s against a
 * real cluster of ours that starts with 3 members and has room for 5, mixing membership changes
 * (replace a member with a new empty one, grow, shrink: between 3 and 5) with kill -9 and
 * partitions. Every check must hold as with the fixed-membership nemeses: every key
 * linearizable, no acknowledged add lost, every watcher complete and in order, the replicas of
 * the moment identical.
 */
class JepsenMemberProperties {
  private static final int SECONDS = 30;
  private static final List<Fault.Kind> KINDS = List.of(Fault.Kind.MEMBER, Fault.Kind.MEMBER,
      Fault.Kind.KILL, Fault.Kind.ISOLATE, Fault.Kind.SPLIT);

  @Property(tries = 1, shrinking = ShrinkingMode.OFF)
  void everyCheckHoldsWhileTheMembershipChanges(
      @ForAll @LongRange(min = 1, max = 1_000_000) long seed) throws Exception {
    RunConfig cfg = RunConfig.defaults("member-seed" + seed, seed, SECONDS,
        Schedule.generate(seed, 5, KINDS, SECONDS * 1000L));
    Runner.Checked c;
    StringBuilder log = new StringBuilder();
    try (RaftKvDb db = TestClusters.startWithRoom("member", 190)) {
      c = Runner.run(db, cfg, TestClusters.reports(), line -> log.append(line).append('\n'));
    }
    String why = "seed " + seed + " (replay: scripts/jepsen --nemesis member,kill,partition"
        + " --time " + SECONDS + " --seed " + seed + ")\n" + String.join("\n",
        c.verdicts().lines()) + "\nnotes: " + c.result().notes() + "\nnemesis:\n" + log
        + "report: " + c.report();
    assertTrue(log.toString().contains("healed replace") || log.toString().contains("healed grow")
        || log.toString().contains("healed shrink"), "a membership change happened: " + why);
    assertTrue(c.result().clientOps() > 100, "the clients made progress: " + why);
    assertTrue(c.verdicts().linearizable(), "every key linearizable: " + why);
    assertTrue(c.verdicts().set().ok(), "no acknowledged add lost: " + why);
    assertTrue(c.verdicts().watch().ok(), "watches complete and in order: " + why);
    assertTrue(c.verdicts().replicas().ok(), "replicas identical (§5.4.3): " + why);
  }
}
