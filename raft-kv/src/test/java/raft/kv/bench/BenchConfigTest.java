package raft.kv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import raft.kv.main.CliRun;

/** Flag validation: each bad combination is refused with a message naming the flag. */
class BenchConfigTest {

  private static BenchConfig put(int clients, int conns, long total, Duration duration,
      int keySize, long keySpace) {
    return new BenchConfig(BenchConfig.Workload.PUT, clients, conns, total, duration,
        Duration.ZERO, keySize, 256, keySpace, 0, BenchConfig.Target.ALL, false);
  }

  private static String refusal(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }

  @Test
  void defaultsToTenThousandRequestsLikeEtcd() {
    assertEquals(10_000, put(1, 1, 0, null, 8, 100).total());
  }

  @Test
  void refusesBadCounts() {
    assertTrue(refusal(() -> put(0, 1, 0, null, 8, 100)).startsWith("--clients"));
    assertTrue(refusal(() -> put(4, 0, 0, null, 8, 100)).startsWith("--conns"));
    assertTrue(refusal(() -> put(4, 8, 0, null, 8, 100)).contains("must not exceed --clients"));
    assertTrue(refusal(() -> put(1, 1, -5, null, 8, 100)).startsWith("--total"));
    assertTrue(refusal(() -> put(1, 1, 0, null, 8, 0)).startsWith("--key-space"));
  }

  @Test
  void totalAndDurationExcludeEachOther() {
    assertEquals("give --total or --duration, not both",
        refusal(() -> put(1, 1, 10, Duration.ofSeconds(1), 8, 100)));
    assertTrue(refusal(() -> put(1, 1, 0, Duration.ZERO, 8, 100)).startsWith("--duration"));
  }

  @Test
  void keySizeMustHoldTheLargestKey() {
    // 1000 keys: k000..k999 need 4 bytes
    assertEquals("k000", put(1, 1, 0, null, 4, 1000).key(0));
    assertEquals("k999", put(1, 1, 0, null, 4, 1000).key(999));
    String m = refusal(() -> put(1, 1, 0, null, 3, 1000));
    assertTrue(m.contains("--key-size must be at least 4"), m);
  }

  @Test
  void keysArePaddedToKeySizeAndSortByIndex() {
    BenchConfig c = put(1, 1, 0, null, 10, 100);
    assertEquals("k000000007", c.key(7));
    assertTrue(c.key(9).compareTo(c.key(10)) < 0);
  }

  @Test
  void watchLatencyNeedsRoomForTheRequestNumber() {
    String m = refusal(() -> new BenchConfig(BenchConfig.Workload.WATCH_LATENCY, 1, 1, 0, null,
        Duration.ZERO, 8, 4, 100, 0, BenchConfig.Target.ALL, false));
    assertTrue(m.contains("--val-size of at least 8"), m);
  }

  @Test
  void parsesTargetAndConsistency() {
    assertEquals(BenchConfig.Target.FOLLOWERS, BenchConfig.Target.parse("Followers"));
    assertTrue(refusal(() -> BenchConfig.Target.parse("boss")).contains("leader, followers or all"));
    assertTrue(BenchConfig.parseSerializable("s"));
    assertFalse(BenchConfig.parseSerializable("l"));
    assertTrue(refusal(() -> BenchConfig.parseSerializable("x")).startsWith("--consistency"));
  }

  @Test
  void commandLineReportsAUsageErrorWithExitTwo() {
    CliRun r = CliRun.run("bench", "put", "--clients", "2", "--conns", "3");
    assertEquals(2, r.exit());
    assertTrue(r.errLine().startsWith("Error: --conns (3) must not exceed --clients (2)"),
        r.err());
    CliRun bad = CliRun.run("bench", "range", "--consistency", "q");
    assertEquals(2, bad.exit());
    assertTrue(bad.errLine().contains("--consistency must be l (linearizable) or s"), bad.err());
    assertEquals(2, CliRun.run("bench", "put", "--rate", "-1").exit());
  }
}
