package raft.kv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The summary and the JSON line, from a histogram with known contents. */
class BenchResultTest {

  private static BenchResult result(BenchConfig.Workload w, boolean serializable) {
    Histogram h = new Histogram(3);
    for (int us = 1; us <= 1000; us++) {
      h.recordValue(us * 1000L); // 1..1000 ms
    }
    BenchConfig c = new BenchConfig(w, 64, 8, 0, Duration.ofSeconds(10), Duration.ZERO, 8, 256,
        100, 0, BenchConfig.Target.LEADER, serializable);
    return BenchResult.of(c, "leader", h, Map.of("etcdserver: request timed out", 3L), 2.0);
  }

  @Test
  void jsonLineCarriesThroughputAndPercentilesInMilliseconds() {
    String json = result(BenchConfig.Workload.PUT, false).jsonLine();
    assertTrue(json.startsWith("{\"workload\":\"put\",\"clients\":64,\"conns\":8,"
        + "\"target\":\"leader\",\"ops\":1000,\"errors\":3,\"seconds\":2.000,"
        + "\"ops_per_sec\":500.000,\"p50_ms\":500."), json);
    assertTrue(json.contains("\"p99_ms\":990."), json);
    assertTrue(json.contains("\"max_ms\":1000."), json);
    assertTrue(json.endsWith("}") && !json.contains("\n"), json);
  }

  @Test
  void rangeNamesItsConsistency() {
    assertEquals("range-s", result(BenchConfig.Workload.RANGE, true).workload());
    assertEquals("range-l", result(BenchConfig.Workload.RANGE, false).workload());
  }

  @Test
  void summaryListsErrorsByMessage() {
    String s = result(BenchConfig.Workload.TXN_PUT, false).summary();
    assertTrue(s.contains("1000 ok, 3 failed in 2.00 s"), s);
    assertTrue(s.contains("Throughput:\t500.0 ops/s"), s);
    assertTrue(s.contains("3 x etcdserver: request timed out"), s);
  }

  @Test
  void emptyRunReportsZerosNotNaN() {
    BenchConfig c = new BenchConfig(BenchConfig.Workload.PUT, 1, 1, 5, null, Duration.ZERO, 8, 256,
        100, 0, BenchConfig.Target.ALL, false);
    String json = BenchResult.of(c, "all", new Histogram(3), Map.of(), 0).jsonLine();
    assertTrue(json.contains("\"ops_per_sec\":0.000,\"p50_ms\":0.000"), json);
  }

  @Test
  void quotesControlCharactersAndQuotes() {
    assertEquals("\"a\\\"b\\\\c\\u000a\"", BenchResult.quote("a\"b\\c\n"));
  }
}
