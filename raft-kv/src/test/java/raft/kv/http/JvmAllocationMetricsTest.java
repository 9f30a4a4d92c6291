package raft.kv.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The allocation counter is in the scrape, under the contract's name, and grows by at least what
 * this thread allocates between two scrapes; the GC pause counter is there and never negative.
 */
class JvmAllocationMetricsTest {
  /** Keeps the allocations reachable so the JIT cannot drop them. */
  private static volatile Object sink;

  @Test
  void allocatedBytesAppearAndGrowByWhatIsAllocated() throws Exception {
    PrometheusRegistry r = new PrometheusRegistry();
    JvmAllocationMetrics.register(r);
    double before = value(scrape(r), JvmAllocationMetrics.ALLOCATED);
    for (int i = 0; i < 64; i++) {
      sink = new byte[1 << 20];
    }
    double after = value(scrape(r), JvmAllocationMetrics.ALLOCATED);
    assertTrue(before > 0, "allocated since start: " + before);
    assertTrue(after - before >= 64.0 * (1 << 20), before + " -> " + after);
    assertTrue(value(scrape(r), JvmAllocationMetrics.GC_PAUSE) >= 0);
  }

  private static String scrape(PrometheusRegistry r) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, r.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  private static double value(String text, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(text);
    assertTrue(m.find(), name + " in:\n" + text);
    return Double.parseDouble(m.group(1));
  }
}
