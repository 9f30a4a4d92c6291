package raft.jepsen.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import raft.jepsen.RunResult;
import raft.jepsen.client.Event;
import raft.jepsen.history.Op;
import raft.jepsen.nemesis.FaultWindow;

/**
 * A self-contained HTML page (inline SVG, no scripts, no external files) picturing one run: a
 * lane per client (the last lane holds the final reads), each operation a bar from invoke to
 * when the client saw its outcome, coloured by outcome; fault windows shaded and labelled; ops
 * the checker could not place outlined thickly, with the checker's explanation below.
 */
public final class HtmlReport {
  private static final int LANE = 22;
  private static final int TOP = 70;
  private static final int LEFT = 70;

  private HtmlReport() {}

  /** Writes {@code dir/index.html}; returns its path. */
  public static Path write(Path dir, RunResult run, List<String> verdictLines,
      List<KeyProblem> problems) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve("index.html");
    StringBuilder h = new StringBuilder(1 << 20);
    h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>jepsen ")
        .append(esc(run.config().name())).append("</title><style>")
        .append("body{font:13px sans-serif;margin:16px} .s{overflow-x:auto;border:1px solid #ccc}")
        .append(" pre{background:#f6f6f6;padding:8px} .ok{fill:#3a3} .fail{fill:#e77}")
        .append(" .info{fill:#f90} .bad{stroke:#000;stroke-width:3}</style></head><body>");
    h.append("<h2>run ").append(esc(run.config().name())).append("</h2><pre>");
    verdictLines.forEach(l -> h.append(esc(l)).append('\n'));
    h.append(String.format("%d client ops in %d s: %.0f ops/s%n", run.clientOps(),
        run.config().seconds(), run.opsPerSecond()));
    run.notes().forEach(n -> h.append("note: ").append(esc(n)).append('\n'));
    h.append("</pre><p>green: ok &middot; red: fail (certainly did not happen) &middot; orange:"
        + " info (unknown) &middot; shaded: faults &middot; thick outline: ops the checker"
        + " could not place</p><div class=\"s\">");
    svg(h, run, problems);
    h.append("</div>");
    problems(h, problems);
    windows(h, run);
    h.append("</body></html>\n");
    Files.writeString(file, h);
    return file;
  }

  private static void svg(StringBuilder h, RunResult run, List<KeyProblem> problems) {
    long t0 = run.t0();
    long end = run.events().stream().mapToLong(Event::seenNanos).max().orElse(run.tEnd());
    double seconds = Math.max(1, (end - t0) / 1e9);
    double pxPerSec = Math.max(40, 1400 / seconds);
    int lanes = run.config().clients() + 1;
    int width = LEFT + (int) (seconds * pxPerSec) + 20;
    int height = TOP + lanes * LANE + 30;
    h.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width)
        .append("\" height=\"").append(height).append("\">");
    int i = 0;
    for (FaultWindow w : run.windows()) {
      double x = LEFT + (w.startNanos() - t0) / 1e9 * pxPerSec;
      double wd = Math.max(2, (w.endNanos() - w.startNanos()) / 1e9 * pxPerSec);
      h.append(String.format("<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\""
          + " fill=\"#88f\" fill-opacity=\"0.18\"><title>%s</title></rect>", x, 10 + (i % 4) * 14,
          wd, height - 10 - (i % 4) * 14, esc(w.description())));
      h.append(String.format("<text x=\"%.1f\" y=\"%d\" font-size=\"11\">%s</text>", x + 2,
          20 + (i % 4) * 14, esc(w.description())));
      i++;
    }
    for (int lane = 0; lane < lanes; lane++) {
      int y = TOP + lane * LANE;
      h.append(String.format("<text x=\"4\" y=\"%d\" font-size=\"11\">%s</text>", y + 14,
          lane < lanes - 1 ? "client " + lane : "final"));
      h.append(String.format("<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>",
          LEFT, width, y + LANE - 2, y + LANE - 2));
    }
    for (int s = 0; s <= seconds; s++) {
      double x = LEFT + s * pxPerSec;
      h.append(String.format("<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#666\">%ds"
          + "</text>", x, height - 8, s));
    }
    bars(h, run, problems, t0, pxPerSec);
    h.append("</svg>");
  }

  private static void bars(StringBuilder h, RunResult run, List<KeyProblem> problems, long t0,
      double pxPerSec) {
    Set<Op> bad = new HashSet<>();
    problems.forEach(p -> bad.addAll(p.unplaceable()));
    for (Event e : run.events()) {
      Op op = e.op();
      double x = LEFT + (op.invokeNanos() - t0) / 1e9 * pxPerSec;
      double w = Math.max(1, (e.seenNanos() - op.invokeNanos()) / 1e9 * pxPerSec);
      int y = TOP + e.lane() * LANE + 3;
      String cls = op.outcome().name().toLowerCase() + (bad.contains(op) ? " bad" : "");
      h.append(String.format("<rect class=\"%s\" x=\"%.2f\" y=\"%d\" width=\"%.2f\""
          + " height=\"%d\"><title>%s</title></rect>", cls, x, y, w, LANE - 8, esc(label(op))));
    }
  }

  static String label(Op op) {
    String what = switch (op.kind()) {
      case READ -> "read " + op.key() + " = " + op.value();
      case WRITE -> "write " + op.key() + " := " + op.value();
      case CAS -> "cas " + op.key() + " " + op.expected() + " -> " + op.value();
    };
    return "p" + op.process() + " " + what + " " + op.outcome();
  }

  private static void problems(StringBuilder h, List<KeyProblem> problems) {
    for (KeyProblem p : problems) {
      h.append("<h3>key ").append(esc(p.key())).append(": not linearizable</h3><pre>")
          .append(esc(p.explanation())).append("\nunplaceable:\n");
      p.unplaceable().forEach(op -> h.append("  ").append(esc(label(op))).append('\n'));
      h.append("</pre>");
    }
  }

  private static void windows(StringBuilder h, RunResult run) {
    h.append("<h3>faults</h3><pre>");
    for (FaultWindow w : run.windows()) {
      h.append(String.format("%7.2fs .. %7.2fs  %s%n", (w.startNanos() - run.t0()) / 1e9,
          (w.endNanos() - run.t0()) / 1e9, esc(w.description())));
    }
    h.append("</pre>");
  }

  static String esc(String s) {
    return s == null ? "null" : s.replace("&", "&amp;").replace("<", "&lt;")
        .replace(">", "&gt;").replace("\"", "&quot;");
  }
}
