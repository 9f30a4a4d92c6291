package raft.kv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.main.CliRun;
import raft.kv.server.InProcessCluster;

/**
 * {@code raftkv bench} end to end against a real one-member cluster in this JVM: the counts are
 * exact, and a real server error (a value over --max-request-bytes) lands in the error table.
 */
class BenchSmokeTest {
  @TempDir static Path dir;
  private static InProcessCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = new InProcessCluster(1, 1, dir);
    cluster.awaitLeader();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static String lastLine(String out) {
    return out.strip().lines().reduce((a, b) -> b).orElseThrow();
  }

  @Test
  void closedLoopPutCountsEveryRequestOnce() {
    CliRun r = CliRun.run("bench", "put", "--total", "200", "--clients", "8", "--conns", "2",
        "--target", "leader", "--no-progress", "--endpoints", cluster.endpoints());
    assertEquals(0, r.exit(), r.err());
    assertTrue(lastLine(r.out()).contains("\"ops\":200,\"errors\":0,"), r.out());
  }

  @Test
  void serverErrorsAreCountedByMessageAndAllFailedExitsOne() {
    CliRun r = CliRun.run("bench", "put", "--total", "20", "--clients", "4",
        "--val-size", "2000000", "--no-progress", "--endpoints", cluster.endpoints());
    assertEquals(1, r.exit(), "a run in which every request failed exits 1: " + r.err());
    assertTrue(lastLine(r.out()).contains("\"ops\":0,\"errors\":20,"), r.out());
    assertTrue(r.out().contains("20 x etcdserver: request is too large"), r.out());
  }

  @Test
  void openLoopSendsTheTotalAndFollowersTargetIsRefusedWithoutFollowers() {
    CliRun r = CliRun.run("bench", "put", "--total", "50", "--rate", "2000", "--clients", "4",
        "--no-progress", "--endpoints", cluster.endpoints());
    assertEquals(0, r.exit(), r.err());
    assertTrue(lastLine(r.out()).contains("\"ops\":50,\"errors\":0,"), r.out());
    CliRun f = CliRun.run("bench", "put", "--total", "5", "--target", "followers",
        "--endpoints", cluster.endpoints());
    assertEquals(1, f.exit());
    assertTrue(f.errLine().startsWith("Error: no followers among the endpoints"), f.err());
  }
}
