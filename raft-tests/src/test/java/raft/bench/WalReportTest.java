package raft.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report's arithmetic and layout from made-up scores; nothing here is timed. */
class WalReportTest {
  private static WalReport.Score floor(String force, String file, double perSecond) {
    return new WalReport.Score("appendAndForce", Map.of("force", force, "file", file),
        perSecond, 10);
  }

  private static WalReport.Score wal(int batch, double perSecond) {
    return new WalReport.Score("batch" + batch, Map.of("payload", "100"), perSecond, Double.NaN);
  }

  private final WalReport report = new WalReport(List.of(
      floor("data", "zeroed", 1000), floor("all", "zeroed", 500), floor("data", "sparse", 800),
      wal(1, 900), wal(10, 8000), wal(100, 50_000)), List.of("setup line"));

  @Test
  void ratiosDivideWalRatesByTheMatchingFloor() {
    assertEquals(0.9, report.batch1OverFloor(100, "zeroed"), 1e-9);
    assertEquals(1.125, report.batch1OverFloor(100, "sparse"), 1e-9);
    assertEquals(50.0, report.batch100OverFloor(100), 1e-9);
  }

  @Test
  void missingScoresGiveNaNNotAnError() {
    assertTrue(Double.isNaN(report.batch1OverFloor(256, "zeroed")));
    assertTrue(Double.isNaN(report.batch1OverFloor(100, "nonesuch")));
  }

  @Test
  void markdownShowsRatesTimesAndFsyncsPerSecond() {
    String md = report.markdown();
    assertTrue(md.contains("- setup line\n"), md);
    // 1000 fsyncs/s is 1000 µs each; force(true) at 500/s is 2000 µs.
    assertTrue(md.contains("| force(false) | zeroed | 1,000 ± 10 | 1,000 |"), md);
    assertTrue(md.contains("| force(true) | zeroed | 500 ± 10 | 2,000 |"), md);
    // batch 100 at 50,000 entries/s is 500 saves (fsyncs) per second, 2 ms each.
    assertTrue(md.contains("| 100 B | 100 | 50,000 | 500 | 2,000 |"), md);
    assertTrue(md.contains("| 100 B | 0.90 | 1.13 | 100 | 50.0 |"), md);
    assertFalse(md.contains("256 B"), "no rows for a payload that was not measured");
  }

  @Test
  void numberFormattingIsLocaleFreeAndMarksMissingValues() {
    assertEquals("12,345.7", WalReport.num(12_345.67, 1));
    assertEquals("n/a", WalReport.num(Double.NaN, 2));
    assertEquals("n/a", WalReport.num(Double.POSITIVE_INFINITY, 0));
  }
}
