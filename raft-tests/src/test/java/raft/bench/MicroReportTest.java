package raft.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report's arithmetic and layout from made-up scores; nothing here is timed. */
class MicroReportTest {
  private static MicroReport.Score core(int members, int batch, double perSecond) {
    return new MicroReport.Score("CoreCommit", "batch" + batch,
        Map.of("members", String.valueOf(members)), perSecond, 1_000, 0, 0);
  }

  private static MicroReport.Score mvcc(String method, int keys, double perSecond) {
    return new MicroReport.Score("MvccOps", method, Map.of("keys", String.valueOf(keys)),
        perSecond, Double.NaN, perSecond * 0.9, perSecond * 1.1);
  }

  private final MicroReport report = new MicroReport(List.of(
      core(3, 1, 100_000), core(3, 64, 1_600_000), core(5, 1, 50_000),
      mvcc("put", 10_000, 500_000), mvcc("rangeOne", 10_000, 2_000_000),
      mvcc("range100", 100_000, 40_000)), List.of("setup line"));

  @Test
  void batchingGainDividesBatch64ByBatch1OfTheSameClusterSize() {
    assertEquals(16.0, report.batchingGain(3), 1e-9);
    assertTrue(Double.isNaN(report.batchingGain(5)), "no batch-64 score for 5 members");
    assertTrue(Double.isNaN(report.batchingGain(7)));
  }

  @Test
  void lookupsMatchClassMethodAndParameter() {
    assertEquals(50_000, report.core(5, 1).orElseThrow().perSecond());
    assertTrue(report.core(5, 64).isEmpty());
    assertEquals(40_000, report.mvcc("range100", 100_000).orElseThrow().perSecond());
    assertTrue(report.mvcc("range100", 10_000).isEmpty());
    assertTrue(report.mvcc("batch1", 10_000).isEmpty(), "a core method is not an MVCC op");
  }

  @Test
  void coreTableShowsEntriesPerSecondTimePerBatchAndGain() {
    String md = report.markdown();
    assertTrue(md.contains("- setup line\n"), md);
    // 100,000 entries/s at batch 1 is 10 µs per batch; 1.6 M at batch 64 is 40 µs per batch.
    assertTrue(md.contains("| 3 | 1 | 100,000 ± 1,000 | 10.0 |  |\n"), md);
    assertTrue(md.contains("| 3 | 64 | 1,600,000 ± 1,000 | 40.0 | 16.0× |\n"), md);
    assertTrue(md.contains("| 5 | 1 | 50,000 ± 1,000 | 20.0 |  |\n"), md);
    assertFalse(md.contains("| 5 | 64 |"), "no row for a score that was not measured");
  }

  @Test
  void mvccTableShowsRequestsPerSecondAndMicrosPerRequestInOrder() {
    String md = report.markdown();
    // No JMH error (too few iterations): the iterations' range instead.
    String put = "| put, 256 B value | 10,000 | 500,000 (450,000–550,000) | 2.00 |\n";
    String one = "| range, one key | 10,000 | 2,000,000 (1,800,000–2,200,000) | 0.50 |\n";
    String hundred = "| range, 100 keys | 100,000 | 40,000 (36,000–44,000) | 25.00 |\n";
    assertTrue(md.contains(put) && md.contains(one) && md.contains(hundred), md);
    assertTrue(md.indexOf(put) < md.indexOf(one) && md.indexOf(one) < md.indexOf(hundred), md);
    assertTrue(md.indexOf("(`CoreCommit`)") < md.indexOf("(`MvccOps`)"), md);
  }

  @Test
  void numberFormattingIsLocaleFreeAndMarksMissingValues() {
    assertEquals("1,234,567", MicroReport.num(1_234_567.4, 0));
    assertEquals("n/a", MicroReport.num(Double.NaN, 1));
    assertEquals("n/a", MicroReport.num(Double.NEGATIVE_INFINITY, 0));
  }
}
