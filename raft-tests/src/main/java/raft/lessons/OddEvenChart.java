package raft.lessons;

import java.util.Locale;
import raft.lessons.OddEvenCommand.Report;
import raft.lessons.OddEvenCommand.Row;

/**
 * The odd-even report's chart: availability against p, one polyline per size, as hand-written
 * SVG (a few dozen elements do not need a plotting library). Each even size is dashed in the
 * colour of the odd size below it, so every pair the lesson compares is visibly one colour, and
 * the dashed line sits under the solid one.
 */
final class OddEvenChart {
  private OddEvenChart() {}

  static final int WIDTH = 780;
  static final int HEIGHT = 520;
  // The plot area; the legend goes to its right.
  static final int LEFT = 80;
  static final int RIGHT = 560;
  static final int TOP = 70;
  static final int BOTTOM = 440;
  static final double P_MAX = 0.3;
  /** Curve resolution: the exact expectation is cheap, so sample p every half percent. */
  static final double P_STEP = 0.005;
  static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};

  static String svg(Report r) {
    double yMin = yMin(r);
    StringBuilder sb = new StringBuilder();
    sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append(fmt("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
            + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"13\">%n",
            WIDTH, HEIGHT, WIDTH, HEIGHT))
        .append(fmt("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT))
        .append(fmt("<text x=\"%d\" y=\"28\" font-size=\"17\" font-weight=\"bold\">"
            + "Availability against member failure probability, 1 to 7 members</text>%n", LEFT))
        .append(fmt("<text x=\"%d\" y=\"48\" fill=\"#555\">lines: the simulator's verdicts,"
            + " weighted exactly; dots: Monte Carlo, %d trials; seed %d</text>%n",
            LEFT, r.trials(), r.seed()));
    axes(sb, yMin);
    for (Row row : r.rows()) {
      curve(sb, row, yMin);
    }
    legend(sb, r);
    return sb.append("</svg>\n").toString();
  }

  /** 40% fits every size up to p = 0.3 (2 members: 49%); lower only if a measurement is. */
  static double yMin(Report r) {
    double min = 0.4;
    for (Row row : r.rows()) {
      min = Math.min(min, Availability.weighted(row.n(), P_MAX, row.ok()));
      for (double a : row.measured()) {
        min = Math.min(min, a);
      }
    }
    return Math.floor(min * 10) / 10;
  }

  private static void axes(StringBuilder sb, double yMin) {
    for (int i = 0; i <= 6; i++) { // p = 0%, 5%, ... 30%
      double p = i * 0.05;
      double x = x(p);
      sb.append(fmt("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e4e4e4\"/>%n",
          x, TOP, x, BOTTOM));
      sb.append(fmt("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>%n",
          x, BOTTOM, x, BOTTOM + 5));
      sb.append(fmt("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d%%</text>%n",
          x, BOTTOM + 20, i * 5));
    }
    int steps = (int) Math.round((1 - yMin) * 10);
    for (int i = 0; i <= steps; i++) { // every 10 points of availability
      double a = yMin + i * 0.1;
      double y = y(a, yMin);
      sb.append(fmt("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>%n",
          LEFT, y, RIGHT, y));
      sb.append(fmt("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"black\"/>%n",
          LEFT - 5, y, LEFT, y));
      sb.append(fmt("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d%%</text>%n",
          LEFT - 8, y + 4, Math.round(a * 100)));
    }
    sb.append(fmt("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\""
        + " stroke=\"black\"/>%n", LEFT, TOP, RIGHT - LEFT, BOTTOM - TOP));
    sb.append(fmt("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">p: the probability that a"
        + " member is down</text>%n", (LEFT + RIGHT) / 2, BOTTOM + 45));
    sb.append(fmt("<text x=\"24\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 24 %d)"
        + "\">availability: the cluster can commit</text>%n",
        (TOP + BOTTOM) / 2, (TOP + BOTTOM) / 2));
  }

  private static void curve(StringBuilder sb, Row row, double yMin) {
    String colour = colour(row.n());
    StringBuilder points = new StringBuilder();
    int steps = (int) Math.round(P_MAX / P_STEP);
    for (int i = 0; i <= steps; i++) {
      double p = i * P_STEP;
      points.append(i == 0 ? "" : " ").append(fmt("%.1f,%.1f", x(p),
          y(Availability.weighted(row.n(), p, row.ok()), yMin)));
    }
    sb.append(fmt("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"%s\">"
        + "<title>%d members</title></polyline>%n", colour, dash(row.n()), points, row.n()));
    for (int j = 0; j < Availability.PS.length; j++) {
      sb.append(fmt("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n",
          x(Availability.PS[j]), y(row.measured()[j], yMin), colour));
    }
  }

  private static void legend(StringBuilder sb, Report r) {
    int x = RIGHT + 20;
    int y = TOP + 10;
    for (Row row : r.rows()) {
      sb.append(fmt("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\""
          + " stroke-width=\"2\"%s/>%n", x, y, x + 30, y, colour(row.n()), dash(row.n())));
      sb.append(fmt("<text x=\"%d\" y=\"%d\">%d member%s</text>%n", x + 38, y + 4, row.n(),
          row.n() == 1 ? "" : "s"));
      sb.append(fmt("<text x=\"%d\" y=\"%d\" fill=\"#555\" font-size=\"11\">quorum %d,"
          + " tolerates %d</text>%n", x + 38, y + 18, row.quorum(), row.tolerated()));
      y += 40;
    }
  }

  /** 1 and 2 share a colour, 3 and 4, 5 and 6: the pairs the lesson compares. */
  static String colour(int n) {
    return COLOURS[((n + 1) / 2 - 1) % COLOURS.length];
  }

  private static String dash(int n) {
    return n % 2 == 0 ? " stroke-dasharray=\"7 4\"" : "";
  }

  private static double x(double p) {
    return LEFT + p / P_MAX * (RIGHT - LEFT);
  }

  private static double y(double a, double yMin) {
    return BOTTOM - (a - yMin) / (1 - yMin) * (BOTTOM - TOP);
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
