package raft.lessons;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/odd-even}: the lesson "why odd member counts" as one report. Every number comes
 * from the real protocol in the simulator ({@link Experiments}, {@link Availability},
 * {@link PriceOfSize}); the closed form is printed beside it only to be compared with.
 */
@Command(name = "odd-even", mixinStandardHelpOptions = true,
    description = {
        "Measures, for clusters of 1 to 7 members, how many crashes the real protocol tolerates,"
            + " how often the cluster can commit when each member is down with probability p"
            + " (Monte Carlo over the simulator's verdicts, against the closed form), and what"
            + " each size costs in messages and latency; then grows one cluster 3 -> 4 -> 5"
            + " through learners, a crash at each step, and measures what each size on the way"
            + " tolerates. Prints the tables and writes them as Markdown and an SVG chart. The"
            + " same seed prints the same report.",
        "Exit status 1 if a tolerance is not (n-1)/2 or an even size is at least as available"
            + " as the odd size below it; 2 for a bad flag."})
public final class OddEvenCommand implements Callable<Integer> {
  static final int MAX_N = 7;
  /** Cells further than this many standard errors from the closed form get a '*'. */
  static final double Z_MARK = 3;
  /** Length of each fault-free cost run: about 2000 commits, enough for a stable median. */
  static final long COST_TICKS = 1000;
  static final String MARKDOWN = "odd-even.md";
  static final String SVG = "odd-even-availability.svg";
  /** A million trials already take 56 MB of uniforms (7 members x 8 bytes each). */
  static final int MAX_TRIALS = 1_000_000;

  @Option(names = "--trials", paramLabel = "N",
      description = "Monte Carlo trials per cell, 1 to 1000000 (default ${DEFAULT-VALUE})")
  int trials = 20_000;

  @Option(names = "--seed", paramLabel = "S",
      description = "the report's seed (default: a random one, printed)")
  Long seed;

  @Option(names = "--out", paramLabel = "DIR",
      description = "where to write the Markdown and SVG (default ${DEFAULT-VALUE})")
  Path out = Path.of("reports", "odd-even");

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  private final PrintStream stdout;

  OddEvenCommand(PrintStream stdout) {
    this.stdout = stdout;
  }

  /** One cluster size: what the simulator measured, and the closed form beside it. */
  record Row(int n, int tolerated, boolean[] ok, double[] measured, double[] closed,
      double[] z, double[] exact, PriceOfSize.Cost cost) {
    int quorum() {
      return Experiments.quorum(n);
    }
  }

  /**
   * The whole report; {@code rows.get(n - 1)} is size n; {@code growth}, the path 3 -> 4 -> 5
   * ({@link Growth}), empty if not measured.
   */
  record Report(long seed, int trials, List<Row> rows, List<Growth.Step> growth) {
    Report(long seed, int trials, List<Row> rows) {
      this(seed, trials, rows, List.of());
    }

    Row row(int n) {
      return rows.get(n - 1);
    }

    String command() {
      return "scripts/odd-even --trials " + trials + " --seed " + seed;
    }
  }

  @Override
  public Integer call() {
    if (trials < 1 || trials > MAX_TRIALS) {
      return usage("--trials must be between 1 and " + MAX_TRIALS + ", got " + trials);
    }
    if (Files.exists(out) && !Files.isDirectory(out)) {
      return usage("--out " + out + " is a file, not a folder");
    }
    try {
      Files.createDirectories(out); // first, so a bad --out fails before the measurements
    } catch (IOException e) {
      return usage("cannot create --out " + out + ": " + e.getMessage());
    }
    long s = seed != null ? seed : ThreadLocalRandom.current().nextLong(1, 1_000_000_000L);
    Report r = measure(s, trials);
    stdout.print(OddEvenTables.terminal(r));
    List<String> failures = check(r);
    stdout.print(checks(r, failures));
    try {
      // Written even when a check failed: the files are the evidence to look at.
      Path md = out.resolve(MARKDOWN);
      Path svg = out.resolve(SVG);
      Files.writeString(md, OddEvenTables.markdown(r, SVG), StandardCharsets.UTF_8);
      Files.writeString(svg, OddEvenChart.svg(r), StandardCharsets.UTF_8);
      stdout.println("wrote " + md);
      stdout.println("wrote " + svg);
    } catch (IOException e) {
      return usage("cannot write the report under " + out + ": " + e.getMessage());
    }
    if (!failures.isEmpty()) {
      failures.forEach(f -> spec.commandLine().getErr().println("odd-even: FAILED: " + f));
      return 1;
    }
    return 0;
  }

  private int usage(String message) {
    spec.commandLine().getErr().println("odd-even: " + message);
    return 2;
  }

  /**
   * Runs every measurement with the one seed. The Monte Carlo uses the same uniforms for every
   * size and p (see {@link Availability#monteCarlo}), so sizes are compared on the same luck.
   */
  static Report measure(long seed, int trials) {
    List<Row> rows = new ArrayList<>();
    double[] ps = Availability.PS;
    for (int n = 1; n <= MAX_N; n++) {
      int tolerated = Experiments.measuredTolerance(n, seed);
      boolean[] ok = Availability.commitCapable(n, seed);
      double[] measured = new double[ps.length];
      double[] closed = new double[ps.length];
      double[] z = new double[ps.length];
      double[] exact = new double[ps.length];
      for (int j = 0; j < ps.length; j++) {
        measured[j] = Availability.monteCarlo(n, ps[j], trials, seed, ok);
        closed[j] = Availability.closedForm(n, ps[j]);
        // The standard error under the closed form: "is the measurement consistent with it?"
        z[j] = Math.abs(measured[j] - closed[j]) / Availability.standardError(closed[j], trials);
        exact[j] = Availability.weighted(n, ps[j], ok);
      }
      rows.add(new Row(n, tolerated, ok, measured, closed, z, exact,
          PriceOfSize.measure(n, seed, COST_TICKS)));
    }
    return new Report(seed, trials, rows, Growth.path(GROW_FROM, GROW_TO, seed));
  }

  /** The growth path the report measures: 3 -> 4 -> 5. */
  static final int GROW_FROM = 3;
  static final int GROW_TO = 5;

  /**
   * What makes the lesson wrong, if anything: a tolerance other than (n-1)/2, or an even size
   * at least as available as the odd size below it (exact: strictly below; Monte Carlo: at
   * most equal, since at tiny p both sizes may never fail in any trial).
   */
  static List<String> check(Report r) {
    List<String> failures = new ArrayList<>();
    for (Row row : r.rows()) {
      if (row.tolerated() != (row.n() - 1) / 2) {
        failures.add(String.format(Locale.ROOT,
            "tolerance: %d members tolerated %d crashes, expected (n-1)/2 = %d",
            row.n(), row.tolerated(), (row.n() - 1) / 2));
      }
    }
    failures.addAll(checkGrowth(r.growth()));
    for (int even = 2; even <= MAX_N; even += 2) {
      Row e = r.row(even);
      Row o = r.row(even - 1);
      for (int j = 0; j < Availability.PS.length; j++) {
        String p = OddEvenTables.percent(Availability.PS[j]);
        if (!(e.exact()[j] < o.exact()[j])) {
          failures.add(String.format(Locale.ROOT,
              "ordering (exact): %d members %.5f%% is not below %d members %.5f%% at p = %s",
              even, 100 * e.exact()[j], even - 1, 100 * o.exact()[j], p));
        }
        if (e.measured()[j] > o.measured()[j]) {
          failures.add(String.format(Locale.ROOT,
              "ordering (Monte Carlo): %d members %.2f%% is above %d members %.2f%% at p = %s",
              even, 100 * e.measured()[j], even - 1, 100 * o.measured()[j], p));
        }
      }
    }
    return failures;
  }

  /**
   * The growth path, if measured: every size from 3 to 5 reached, safely, each tolerating
   * (n-1)/2 crashes.
   */
  static List<String> checkGrowth(List<Growth.Step> growth) {
    List<String> failures = new ArrayList<>();
    if (growth.isEmpty()) {
      return failures;
    }
    int reached = growth.get(growth.size() - 1).voters();
    if (reached != GROW_TO) {
      failures.add("growth: stopped at " + reached + " voters, short of " + GROW_TO);
    }
    for (Growth.Step st : growth) {
      if (!st.result().safe()) {
        failures.add("growth: " + st.result().summary());
      }
      if (st.tolerated() != (st.voters() - 1) / 2) {
        failures.add(String.format(Locale.ROOT,
            "growth: at %d voters the cluster tolerated %d crashes, expected (n-1)/2 = %d",
            st.voters(), st.tolerated(), (st.voters() - 1) / 2));
      }
    }
    return failures;
  }

  /** The check lines under the tables: what was verified, and how close it came. */
  private static String checks(Report r, List<String> failures) {
    StringBuilder sb = new StringBuilder("\n");
    List<String> tol = new ArrayList<>();
    r.rows().forEach(row -> tol.add("" + row.tolerated()));
    boolean tolOk = failures.stream().noneMatch(f -> f.startsWith("tolerance"));
    sb.append("check: tolerated failures ").append(String.join(",", tol))
        .append(" for n = 1..7 are (n-1)/2: ").append(tolOk ? "ok" : "FAILED").append('\n');
    int exact = 0;
    int strict = 0;
    int equal = 0;
    for (int even = 2; even <= MAX_N; even += 2) {
      for (int j = 0; j < Availability.PS.length; j++) {
        exact += r.row(even).exact()[j] < r.row(even - 1).exact()[j] ? 1 : 0;
        double e = r.row(even).measured()[j];
        double o = r.row(even - 1).measured()[j];
        strict += e < o ? 1 : 0;
        equal += e == o ? 1 : 0;
      }
    }
    boolean orderOk = failures.stream().noneMatch(f -> f.startsWith("ordering"));
    sb.append(String.format(Locale.ROOT, "check: availability(2k) < availability(2k-1) at every"
        + " p: %s%n  exact: %d of %d strictly below; Monte Carlo: %d strictly, %d equal%n",
        orderOk ? "ok" : "FAILED", exact, 3 * Availability.PS.length, strict, equal));
    int cells = 0;
    int beyond = 0;
    double maxZ = 0;
    for (Row row : r.rows()) {
      for (double z : row.z()) {
        cells++;
        beyond += z > Z_MARK ? 1 : 0;
        maxZ = Math.max(maxZ, z);
      }
    }
    sb.append(String.format(Locale.ROOT, "check: measured within %.0f SE of the closed form in"
        + " %d of %d cells (largest z %.1f%s)%n", Z_MARK, cells - beyond, cells, maxZ,
        beyond == 0 ? "" : ", marked *"));
    int sets = 0;
    int differ = 0;
    for (Row row : r.rows()) {
      for (int mask = 0; mask < row.ok().length; mask++) {
        sets++;
        differ += row.ok()[mask] != (Integer.bitCount(mask) <= (row.n() - 1) / 2) ? 1 : 0;
      }
    }
    sb.append(differ == 0
        ? "the simulator's verdicts on all " + sets + " crash sets match the majority rule\n"
        : differ + " of " + sets + " crash sets differ from the majority rule\n");
    if (!r.growth().isEmpty()) {
      List<String> grown = new ArrayList<>();
      r.growth().forEach(st -> grown.add(st.voters() + ": " + st.tolerated()));
      boolean growthOk = failures.stream().noneMatch(f -> f.startsWith("growth"));
      sb.append("check: growing 3 -> 4 -> 5 through learners, tolerated ")
          .append(String.join(", ", grown)).append(" are (n-1)/2: ")
          .append(growthOk ? "ok" : "FAILED").append('\n');
    }
    failures.forEach(f -> sb.append("FAILED: ").append(f).append('\n'));
    sb.append("replay: ").append(r.command()).append('\n');
    return sb.toString();
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new OddEvenCommand(System.out)).execute(args));
  }
}
