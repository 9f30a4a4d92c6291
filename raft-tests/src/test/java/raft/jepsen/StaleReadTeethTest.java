package raft.jepsen;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.jepsen.db.RaftKvDb;
import raft.jepsen.history.Op;
import raft.jepsen.nemesis.Fault;
import raft.jepsen.nemesis.Schedule;
import raft.jepsen.report.KeyProblem;

/**
 * The harness has teeth: with serializable (local) reads, clients on a leader that has been
 * cut off keep reading its old values while the majority elects a new leader and writes new
 * ones. Those stale reads are not linearizable, and the checker must say so, pointing at them.
 */
class StaleReadTeethTest {

  @Test
  @DisplayName("§6.4: serializable reads on an isolated old leader are reported NOT linearizable")
  void staleReadsOnAnIsolatedLeaderAreCaught() throws Exception {
    Schedule isolateLeader = new Schedule(List.of(new Schedule.Step(2000, 5000,
        List.of(new Fault(Fault.Kind.ISOLATE, true, 1, Set.of(1))))));
    RunConfig cfg = RunConfig.defaults("teeth", 7, 9, isolateLeader).withSerializableReads();
    Runner.Checked c;
    try (RaftKvDb db = TestClusters.start("teeth", 250)) {
      c = Runner.run(db, cfg, TestClusters.reports(), line -> { });
    }
    String why = String.join("\n", c.verdicts().lines()) + "\nfaults: " + c.result().windows()
        + "\nreport: " + c.report();
    assertTrue(c.result().windows().get(0).description().contains("(leader)"),
        "the leader was isolated: " + why);
    assertFalse(c.verdicts().linearizable(), "stale reads must be caught: " + why);
    List<KeyProblem> problems = c.verdicts().problems();
    assertTrue(problems.stream().flatMap(p -> p.unplaceable().stream())
        .anyMatch(op -> op.kind() == Op.Kind.READ && op.outcome() == Op.Outcome.OK),
        "a stale read is among the unplaceable ops: " + problems);
    String html = Files.readString(c.report());
    assertTrue(html.contains("not linearizable") && html.contains(" bad\""),
        "the report highlights the unplaceable ops: " + c.report());
  }
}
