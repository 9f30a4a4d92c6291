package raft.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The summary of one bench-micro run, as Markdown: entries/s of the protocol core by members and
 * batch size ({@link CoreCommit}), and requests/s of the MVCC store by operation and key count
 * ({@link MvccOps}). Pure formatting from given scores, so that it can be tested without timing
 * anything. Immutable; thread-safe.
 */
public final class MicroReport {
  /**
   * One JMH score: {@code benchmark} is the class's simple name, {@code method} the benchmark
   * method's; {@code perSecond} is already per entry where the method counts several per op.
   * {@code error} is JMH's 99.9% confidence half-width, NaN when there were too few iterations
   * (as with --quick's two); {@code min} and {@code max} are the slowest and fastest iteration.
   */
  public record Score(String benchmark, String method, Map<String, String> params,
      double perSecond, double error, double min, double max) {}

  static final String CORE = CoreCommit.class.getSimpleName();
  static final String MVCC = MvccOps.class.getSimpleName();
  static final List<Integer> MEMBERS = List.of(3, 5);
  static final List<Integer> BATCHES = List.of(1, 64);
  static final List<Integer> KEYS = List.of(10_000, 100_000);
  /** An MvccOps method and what its table row says. */
  private record MvccRow(String method, String label) {}

  /** The MVCC table's rows, in order. */
  private static final List<MvccRow> MVCC_ROWS = List.of(
      new MvccRow("put", "put, " + MvccOps.VALUE_BYTES + " B value"),
      new MvccRow("rangeOne", "range, one key"),
      new MvccRow("range100", "range, " + MvccOps.RANGE_KEYS + " keys"));

  private final List<Score> scores;
  private final List<String> setup;

  /** @param setup lines describing the run (JMH settings, JVM, machine) */
  public MicroReport(List<Score> scores, List<String> setup) {
    this.scores = List.copyOf(scores);
    this.setup = List.copyOf(setup);
  }

  /** Entries/s committed by a cluster of {@code members} with {@code batch} proposals per op. */
  public Optional<Score> core(int members, int batch) {
    return find(CORE, "batch" + batch, "members", members);
  }

  /** Requests/s of MvccOps' {@code method} on a store of {@code keys} keys. */
  public Optional<Score> mvcc(String method, int keys) {
    return find(MVCC, method, "keys", keys);
  }

  private Optional<Score> find(String benchmark, String method, String param, int value) {
    return scores.stream().filter(s -> s.benchmark().equals(benchmark)
        && s.method().equals(method) && String.valueOf(value).equals(s.params().get(param)))
        .findFirst();
  }

  /** Entries/s at batch 64 ÷ at batch 1: what proposing many entries per round trip buys. */
  public double batchingGain(int members) {
    Optional<Score> one = core(members, 1);
    Optional<Score> many = core(members, 64);
    if (one.isEmpty() || many.isEmpty() || one.get().perSecond() == 0) {
      return Double.NaN;
    }
    return many.get().perSecond() / one.get().perSecond();
  }

  /** The whole report as Markdown. */
  public String markdown() {
    StringBuilder md = new StringBuilder("# Microbenchmarks: protocol core and MVCC store\n\n");
    setup.forEach(line -> md.append("- ").append(line).append('\n'));
    md.append("\n## Protocol core: entries committed per second (`CoreCommit`)\n\n")
        .append("In-memory storage and network, ").append(CoreCommit.PAYLOAD)
        .append(" B entries; one op proposes a batch on the leader and runs the cluster until ")
        .append("every member applied it. A batch is one proposal (one MsgProp), as the ")
        .append("runtime batches requests that arrive together, so it travels to each ")
        .append("follower in one append: the batch-64 gain is what sharing a round buys.\n\n")
        .append("| members | batch | entries/s | µs per batch | batch-64 gain |\n")
        .append("|---:|---:|---:|---:|---:|\n");
    for (int m : MEMBERS) {
      for (int b : BATCHES) {
        core(m, b).ifPresent(s -> md.append("| ").append(m).append(" | ").append(b)
            .append(" | ").append(rate(s)).append(" | ").append(num(1e6 * b / s.perSecond(), 1))
            .append(" | ").append(b == 1 ? "" : num(batchingGain(m), 1) + "×").append(" |\n"));
      }
    }
    md.append("\n## MVCC store: requests per second (`MvccOps`)\n\n")
        .append(MvccOps.KEY_BYTES).append(" B keys, pre-filled; random keys; history compacted ")
        .append("between iterations.\n\n")
        .append("| operation | keys | requests/s | µs per request |\n|---|---:|---:|---:|\n");
    for (MvccRow row : MVCC_ROWS) {
      for (int k : KEYS) {
        mvcc(row.method(), k).ifPresent(s -> md.append("| ").append(row.label()).append(" | ")
            .append(num(k, 0)).append(" | ").append(rate(s)).append(" | ")
            .append(num(1e6 / s.perSecond(), 2)).append(" |\n"));
      }
    }
    return md.append("\n± is JMH's 99.9% confidence half-width; with too few iterations for one, ")
        .append("the slowest and fastest iteration are shown in parentheses instead. Scores from ")
        .append("a shared machine are noisy: compare the rows of one run.\n").toString();
  }

  /** The score ± its error, or with the iterations' range when JMH gives no error. */
  private static String rate(Score s) {
    String r = num(s.perSecond(), 0);
    if (!Double.isNaN(s.error())) {
      return r + " ± " + num(s.error(), 0);
    }
    return r + " (" + num(s.min(), 0) + "–" + num(s.max(), 0) + ")";
  }

  static String num(double v, int decimals) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%,." + decimals + "f", v);
  }
}
