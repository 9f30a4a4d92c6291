package raft.lessons;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import raft.lessons.OddEvenCommand.Report;
import raft.lessons.OddEvenCommand.Row;

/**
 * The odd-even report's tables, built once as grids of strings and rendered twice: aligned for a
 * terminal and as Markdown, so the two can never disagree.
 */
final class OddEvenTables {
  private OddEvenTables() {}

  /** Notes are wrapped here so that prose reads in a 100-column terminal (tables are not). */
  static final int WRAP = 96;

  /** A table: a title line, a header and rows (all the same width), and notes under it. */
  record Table(String title, List<String[]> rows, List<String> notes) {}

  static String terminal(Report r) {
    StringBuilder sb = new StringBuilder();
    sb.append("odd-even: why odd member counts (seed ").append(r.seed()).append(", ")
        .append(r.trials()).append(" Monte Carlo trials per cell)\n");
    for (Table t : tables(r)) {
      sb.append('\n').append(t.title()).append('\n').append(text(t.rows()));
      t.notes().forEach(n -> sb.append(wrap(n, "  ", "    ")));
    }
    return sb.toString();
  }

  static String markdown(Report r, String svgName) {
    StringBuilder sb = new StringBuilder("# Why odd member counts: measured\n\n");
    sb.append("Produced by `").append(r.command()).append("`: every number is measured on the")
        .append(" real protocol in the simulator, except the closed form; the same command prints")
        .append(" the same numbers.\n");
    for (Table t : tables(r)) {
      sb.append("\n**").append(t.title()).append("**\n\n").append(markdown(t.rows()));
      sb.append(t.notes().isEmpty() ? "" : "\n");
      t.notes().forEach(n -> sb.append("- ").append(escape(n)).append('\n'));
    }
    sb.append("\n![Availability against p, for 1 to 7 members](").append(svgName).append(")\n\n")
        .append("[").append(svgName).append("](").append(svgName).append("): availability ")
        .append("against p; odd sizes solid, even sizes dashed in the colour of the odd size ")
        .append("below them.\n");
    return sb.toString();
  }

  static List<Table> tables(Report r) {
    return r.growth().isEmpty() ? List.of(main(r), zScores(r), exact(r), evenVsOdd(r))
        : List.of(main(r), zScores(r), exact(r), evenVsOdd(r), growth(r));
  }

  /**
   * Growing 3 -> 4 -> 5 through learners, a crash at each step: what each size on the way
   * tolerates ({@link Growth}).
   */
  static Table growth(Report r) {
    int maxK = 0;
    for (Growth.Step st : r.growth()) {
      maxK = Math.max(maxK, st.committed().size());
    }
    List<String[]> rows = new ArrayList<>();
    List<String> h = new ArrayList<>(List.of("voters", "quorum", "joined with down"));
    for (int k = 1; k <= maxK; k++) {
      h.add(k == 1 ? "1 crashed (the leader)" : k + " crashed");
    }
    h.add("tolerates");
    rows.add(h.toArray(String[]::new));
    for (Growth.Step st : r.growth()) {
      List<String> cells = new ArrayList<>(List.of("" + st.voters(), "" + st.quorum(),
          st.downWhileJoining() == 0 ? "-" : "n" + st.downWhileJoining()));
      for (int k = 1; k <= maxK; k++) {
        cells.add(k > st.committed().size() ? "" : st.committed().get(k - 1) ? "commits"
            : "stuck");
      }
      cells.add("" + st.tolerated());
      rows.add(cells.toArray(String[]::new));
    }
    return new Table("Growing 3 -> 4 -> 5 one member at a time, a crash at each step", rows,
        List.of("each new member starts with an empty log, joins as a learner while the voter"
            + " named is crashed, and is promoted once the leader shows it caught up (thesis"
            + " §4.2.1); the change commits without the crashed voter",
        "then, at each size, the leader and k-1 other voters crash and the rest get "
            + Experiments.BOUND_TICKS + " ticks to commit a probe; the crashed come back",
        "4 tolerates 1 crash, like 3 (its quorum is 3); 5 tolerates 2: grow through 4, do not"
            + " stay there"));
  }

  /** The lesson in one table: one row per size. */
  static Table main(Report r) {
    List<String[]> rows = new ArrayList<>();
    rows.add(header(List.of("members", "quorum", "tolerates"), List.of("msgs/commit", "latency")));
    for (Row row : r.rows()) {
      List<String> cells = new ArrayList<>(List.of("" + row.n(), "" + row.quorum(),
          "" + row.tolerated()));
      for (int j = 0; j < Availability.PS.length; j++) {
        cells.add(pct(row.measured()[j], 2) + "/" + pct(row.closed()[j], 2));
      }
      cells.add(fmt("%.1f", row.cost().messagesPerCommit()));
      cells.add(fmt("%.2f", row.cost().medianLatencyTicks()));
      rows.add(cells.toArray(String[]::new));
    }
    return new Table("Availability in % when each member is down with probability p:"
        + " measured / closed form", rows, List.of(
        "tolerates: the most crashes (any members, the leader too) after which the rest still"
            + " commit, found by trying every crash set in the simulator",
        "measured: " + r.trials() + " Monte Carlo trials over the simulator's verdict for each"
            + " crash set; closed form: P(at most (n-1)/2 members down)",
        "msgs/commit: messages per acknowledged proposal, heartbeats included; latency: median"
            + " ticks from proposal to acknowledgement (no faults, 2 proposals per tick, "
            + OddEvenCommand.COST_TICKS + " ticks)"));
  }

  /** How far each Monte Carlo cell is from the closed form, in standard errors. */
  static Table zScores(Report r) {
    List<String[]> rows = new ArrayList<>();
    rows.add(header(List.of("members"), List.of()));
    boolean marked = false;
    for (Row row : r.rows()) {
      List<String> cells = new ArrayList<>(List.of("" + row.n()));
      for (double z : row.z()) {
        boolean beyond = z > OddEvenCommand.Z_MARK;
        marked |= beyond;
        cells.add(fmt("%.1f", z) + (beyond ? "*" : ""));
      }
      rows.add(cells.toArray(String[]::new));
    }
    List<String> notes = new ArrayList<>(List.of(
        "SE = sqrt(a(1-a)/trials) at the closed form a, and at least 1/trials (a count moves"
            + " in steps of one trial)"));
    if (marked) {
      notes.add("* beyond 3 SE: with 35 cells, about 1 seed in 40 shows one such cell by chance;"
          + " another seed or more --trials tells chance from a bug");
    }
    return new Table("z = |measured - closed form| / standard error", rows, notes);
  }

  /** The exact expectation of the measured verdicts: strictly ordered, unlike a sample. */
  static Table exact(Report r) {
    List<String[]> rows = new ArrayList<>();
    rows.add(header(List.of("members"), List.of()));
    for (Row row : r.rows()) {
      List<String> cells = new ArrayList<>(List.of("" + row.n()));
      for (double a : row.exact()) {
        cells.add(pct(a, 5));
      }
      rows.add(cells.toArray(String[]::new));
    }
    return new Table("Availability in %, exact: the simulator's verdicts weighted by their"
        + " probability", rows, List.of());
  }

  /** The lesson's punch line: an even size is down about twice as often as the odd one below. */
  static Table evenVsOdd(Report r) {
    List<String[]> rows = new ArrayList<>();
    rows.add(header(List.of("sizes"), List.of()));
    for (int even = 2; even <= OddEvenCommand.MAX_N; even += 2) {
      List<String> cells = new ArrayList<>(List.of(even + " vs " + (even - 1)));
      for (int j = 0; j < Availability.PS.length; j++) {
        double down = 1 - r.row(even).exact()[j];
        double oddDown = 1 - r.row(even - 1).exact()[j];
        cells.add(fmt("%.2fx", down / oddDown));
      }
      rows.add(cells.toArray(String[]::new));
    }
    return new Table("How many times as often the even size is down as the odd size below it"
        + " (exact)", rows, List.of());
  }

  /** A header: the given columns, one per p, then the columns after. */
  private static String[] header(List<String> before, List<String> after) {
    List<String> h = new ArrayList<>(before);
    for (double p : Availability.PS) {
      h.add("p = " + percent(p));
    }
    h.addAll(after);
    return h.toArray(String[]::new);
  }

  /** 0.05 as "5%", 0.1 as "10%": no float noise in the header. */
  static String percent(double p) {
    return BigDecimal.valueOf(p).movePointRight(2).stripTrailingZeros().toPlainString() + "%";
  }

  static String pct(double a, int decimals) {
    return fmt("%." + decimals + "f", 100 * a);
  }

  private static String fmt(String format, double x) {
    return String.format(Locale.ROOT, format, x);
  }

  /** Right-aligned columns, two spaces apart, indented by two. */
  static String text(List<String[]> rows) {
    int[] w = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        w[i] = Math.max(w[i], row[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append("  ").append(" ".repeat(w[i] - row[i].length())).append(row[i]);
      }
      sb.append(line).append('\n');
    }
    return sb.toString();
  }

  static String markdown(List<String[]> rows) {
    StringBuilder sb = new StringBuilder();
    for (int r = 0; r < rows.size(); r++) {
      List<String> cells = List.of(rows.get(r)).stream().map(OddEvenTables::escape).toList();
      sb.append("| ").append(String.join(" | ", cells)).append(" |\n");
      if (r == 0) {
        sb.append("|").append("---:|".repeat(rows.get(0).length)).append('\n');
      }
    }
    return sb.toString();
  }

  /** Word-wraps a note for the terminal, continuation lines indented by {@code rest}. */
  static String wrap(String note, String first, String rest) {
    StringBuilder out = new StringBuilder();
    StringBuilder line = new StringBuilder(first);
    int indent = first.length();
    for (String word : note.split(" ")) {
      if (line.length() > indent && line.length() + 1 + word.length() > WRAP) {
        out.append(line).append('\n');
        line = new StringBuilder(rest);
        indent = rest.length();
      } else if (line.length() > indent) {
        line.append(' ');
      }
      line.append(word);
    }
    return out.append(line).append('\n').toString();
  }

  /** A '*' is emphasis in Markdown; the report means the character. */
  private static String escape(String s) {
    return s.replace("*", "\\*");
  }
}
