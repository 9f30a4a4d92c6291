package raft.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The summary of one bench-wal run, as Markdown: the raw fsync floor, WAL entries/s by batch
 * size and payload, and the ratios between them. Pure formatting from given scores, so that it
 * can be tested without timing anything. Immutable; thread-safe.
 */
public final class WalReport {
  /** One JMH score: {@code method} is the benchmark method's simple name. */
  public record Score(String method, Map<String, String> params, double perSecond,
      double error) {}

  static final String FLOOR = "appendAndForce";
  static final List<Integer> BATCHES = List.of(1, 10, 100);
  static final List<Integer> PAYLOADS = List.of(100, 256);

  private final List<Score> scores;
  private final List<String> setup;

  /** @param setup lines describing the run (directory, file system, JMH settings) */
  public WalReport(List<Score> scores, List<String> setup) {
    this.scores = List.copyOf(scores);
    this.setup = List.copyOf(setup);
  }

  /** fsyncs/s of the raw floor with {@code force} (data, all) on a {@code file} (zeroed, sparse). */
  public Optional<Score> floor(String force, String file) {
    return scores.stream().filter(s -> s.method().equals(FLOOR)
        && force.equals(s.params().get("force")) && file.equals(s.params().get("file")))
        .findFirst();
  }

  /** Entries/s of durable WAL appends of {@code batch} entries of {@code payload} bytes. */
  public Optional<Score> wal(int payload, int batch) {
    return scores.stream().filter(s -> s.method().equals("batch" + batch)
        && String.valueOf(payload).equals(s.params().get("payload"))).findFirst();
  }

  /** WAL batch-1 appends/s ÷ raw fsyncs/s: close to 1 means the WAL adds little over the disk. */
  public double batch1OverFloor(int payload, String file) {
    return ratio(wal(payload, 1), floor("data", file));
  }

  /** WAL batch-100 entries/s ÷ raw fsyncs/s: how many entries group commit gets per fsync-time. */
  public double batch100OverFloor(int payload) {
    return ratio(wal(payload, 100), floor("data", "zeroed"));
  }

  private static double ratio(Optional<Score> a, Optional<Score> b) {
    if (a.isEmpty() || b.isEmpty() || b.get().perSecond() == 0) {
      return Double.NaN;
    }
    return a.get().perSecond() / b.get().perSecond();
  }

  /** The whole report as Markdown. */
  public String markdown() {
    StringBuilder md = new StringBuilder("# WAL append throughput vs. the raw fsync floor\n\n");
    setup.forEach(line -> md.append("- ").append(line).append('\n'));
    md.append("\n## Raw fsync floor: write ").append(FsyncFloor.RECORD_BYTES)
        .append(" B, then force, per op\n\n")
        .append("| force | file | fsyncs/s | µs per fsync |\n|---|---|---:|---:|\n");
    for (String file : List.of("zeroed", "sparse")) {
      for (String force : List.of("data", "all")) {
        floor(force, file).ifPresent(s -> md.append("| ")
            .append(force.equals("data") ? "force(false)" : "force(true)").append(" | ")
            .append(file).append(" | ").append(rate(s)).append(" | ")
            .append(num(1e6 / s.perSecond(), 0)).append(" |\n"));
      }
    }
    md.append("\n## WAL: `save(hardState, entries, sync=true)`, one fsync per call\n\n")
        .append("| payload | batch | entries/s | fsyncs/s | µs per save |\n")
        .append("|---:|---:|---:|---:|---:|\n");
    for (int p : PAYLOADS) {
      for (int b : BATCHES) {
        wal(p, b).ifPresent(s -> md.append("| ").append(p).append(" B | ").append(b)
            .append(" | ").append(rate(s)).append(" | ").append(num(s.perSecond() / b, 0))
            .append(" | ").append(num(1e6 * b / s.perSecond(), 0)).append(" |\n"));
      }
    }
    return appendRatios(md).toString();
  }

  private StringBuilder appendRatios(StringBuilder md) {
    md.append("\n## Ratios\n\n| payload | WAL batch-1 appends/s ÷ raw fsyncs/s "
        + "(zeroed) | same ÷ sparse floor | entries per fsync at batch 100 "
        + "| batch-100 entries/s ÷ raw fsyncs/s |\n|---:|---:|---:|---:|---:|\n");
    for (int p : PAYLOADS) {
      if (wal(p, 1).isEmpty()) {
        continue;
      }
      md.append("| ").append(p).append(" B | ").append(num(batch1OverFloor(p, "zeroed"), 2))
          .append(" | ").append(num(batch1OverFloor(p, "sparse"), 2))
          .append(" | 100 | ").append(num(batch100OverFloor(p), 1)).append(" |\n");
    }
    return md.append("\nA batch-1 ratio close to 1 means the WAL adds little over the disk's own ")
        .append("fsync cost. Each `save` is one fsync, so batch 100 carries 100 entries per ")
        .append("fsync; the last column is what that group commit buys over one fsync per ")
        .append("entry.\n");
  }

  private static String rate(Score s) {
    String r = num(s.perSecond(), 0);
    return Double.isNaN(s.error()) ? r : r + " ± " + num(s.error(), 0);
  }

  static String num(double v, int decimals) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%,." + decimals + "f", v);
  }
}
