package raft.kv.bench;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What one run measured, and its two renderings: a short human summary and one JSON line for
 * scripts. Latencies are recorded in microseconds and reported in milliseconds.
 *
 * @param ops successful measured requests
 * @param errors failed measured requests, by message (as {@code Error: ...} would print it)
 * @param seconds measured wall time, from the end of the warmup to the last response
 */
public record BenchResult(String workload, int clients, int conns, String target, long ops,
    Map<String, Long> errors, double seconds, double p50Ms, double p90Ms, double p99Ms,
    double p999Ms, double maxMs) {

  public BenchResult {
    errors = Map.copyOf(new TreeMap<>(errors));
  }

  /** Reads the percentiles from a histogram of microseconds. */
  public static BenchResult of(BenchConfig c, String target, Histogram micros,
      Map<String, Long> errors, double seconds) {
    return new BenchResult(c.workload().cliName
        + (c.workload() == BenchConfig.Workload.RANGE ? (c.serializable() ? "-s" : "-l") : ""),
        c.clients(), c.conns(), target, micros.getTotalCount(), errors, seconds,
        ms(micros, 50), ms(micros, 90), ms(micros, 99), ms(micros, 99.9),
        micros.getTotalCount() == 0 ? 0 : micros.getMaxValue() / 1000.0);
  }

  private static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
  }

  public long errorCount() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  public double opsPerSec() {
    return seconds <= 0 ? 0 : ops / seconds;
  }

  /** The summary etcd's benchmark prints, condensed. */
  public String summary() {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "Summary (%s, %d clients over %d conns, target %s):%n",
        workload, clients, conns, target));
    b.append(String.format(Locale.ROOT, "  Requests:\t%d ok, %d failed in %.2f s%n", ops,
        errorCount(), seconds));
    b.append(String.format(Locale.ROOT, "  Throughput:\t%.1f ops/s%n", opsPerSec()));
    b.append(String.format(Locale.ROOT,
        "  Latency ms:\tp50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f%n",
        p50Ms, p90Ms, p99Ms, p999Ms, maxMs));
    if (!errors.isEmpty()) {
      b.append("  Errors:\n");
      errors.forEach((msg, n) -> b.append("    ").append(n).append(" x ").append(msg)
          .append('\n'));
    }
    return b.toString();
  }

  /** One line of JSON, the last line of the output, for scripts. */
  public String jsonLine() {
    StringBuilder b = new StringBuilder("{");
    field(b, "workload", quote(workload));
    field(b, "clients", Integer.toString(clients));
    field(b, "conns", Integer.toString(conns));
    field(b, "target", quote(target));
    field(b, "ops", Long.toString(ops));
    field(b, "errors", Long.toString(errorCount()));
    field(b, "seconds", num(seconds));
    field(b, "ops_per_sec", num(opsPerSec()));
    field(b, "p50_ms", num(p50Ms));
    field(b, "p90_ms", num(p90Ms));
    field(b, "p99_ms", num(p99Ms));
    field(b, "p999_ms", num(p999Ms));
    field(b, "max_ms", num(maxMs));
    b.setLength(b.length() - 1);
    return b.append('}').toString();
  }

  private static void field(StringBuilder b, String name, String value) {
    b.append('"').append(name).append("\":").append(value).append(',');
  }

  private static String num(double d) {
    return String.format(Locale.ROOT, "%.3f", d);
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (ch < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
          } else {
            b.append(ch);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
