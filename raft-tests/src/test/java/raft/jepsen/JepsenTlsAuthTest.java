package raft.jepsen;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import raft.jepsen.db.RaftKvDb;
import raft.jepsen.nemesis.Fault;
import raft.jepsen.nemesis.Schedule;

/**
 * Issue 17: the harness runs with TLS and auth on (scripts/jepsen --tls --auth) and its checks
 * hold. The clients run as a user who may only touch the run's keys, over TLS with the
 * cluster's client certificate; the leader is killed and restarted, so the restarted member has
 * forgotten the clients' tokens and they must authenticate again. The setup itself refuses to
 * go on unless auth is in force (a read without a token and a read outside the user's keys are
 * refused). Port offset 290, as raft.process.ClusterTlsTest (they never run at once: surefire
 * runs test classes one after the other).
 */
class JepsenTlsAuthTest {

  @Test
  void theChecksHoldWithTlsAndAuthThroughAKilledLeader() throws Exception {
    Schedule killLeader = new Schedule(List.of(new Schedule.Step(2000, 4000,
        List.of(new Fault(Fault.Kind.KILL, true, 1, Set.of())))));
    RunConfig cfg = RunConfig.defaults("tls-auth", 17, 10, killLeader);
    Runner.Checked c;
    String proof;
    try (RaftKvDb db = new RaftKvDb(TestClusters.JAR, TestClusters.TARGET.resolve(
        "clusters/tls-auth"), 3, 3, 290, true).withAuth().start()) {
      proof = db.authProof();
      c = Runner.run(db, cfg, TestClusters.reports(), line -> { });
    }
    String why = String.join("\n", c.verdicts().lines()) + "\nnotes: " + c.result().notes()
        + "\nfaults: " + c.result().windows() + "\nreport: " + c.report();
    assertTrue(proof.endsWith("outside jepsen/: PERMISSION_DENIED etcdserver: permission"
        + " denied"), proof);
    assertFalse(c.result().windows().isEmpty(), "the leader was killed: " + why);
    assertTrue(c.result().acknowledgedAdds().size() > 20, "clients got through: " + why);
    assertTrue(c.verdicts().ok(), why);
  }
}
