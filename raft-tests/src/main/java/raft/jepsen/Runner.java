package raft.jepsen;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import raft.jepsen.db.Db;
import raft.jepsen.report.HtmlReport;

/**
 * Runs, checks and pictures: one {@link Harness} run, its {@link Verdicts}, and its HTML
 * report under {@code reportsDir/<run name>/index.html}. Blocking.
 */
public final class Runner {
  private Runner() {}

  /** One checked run and where its picture is. */
  public record Checked(RunResult result, Verdicts verdicts, Path report) {}

  public static Checked run(Db db, RunConfig cfg, Path reportsDir, Consumer<String> log)
      throws Exception {
    RunResult r = new Harness(db, cfg, log).run();
    Verdicts v = Verdicts.of(r);
    List<String> lines = new ArrayList<>();
    lines.add(summary(List.of(v)));
    lines.addAll(v.lines());
    Path report = HtmlReport.write(reportsDir.resolve(cfg.name()), r, lines, v.problems());
    return new Checked(r, v, report);
  }

  /** {@code linearizable: 3/3 runs, 12345 ops, 0 lost, 87 info}. */
  public static String summary(List<Verdicts> runs) {
    long linearizable = runs.stream().filter(Verdicts::linearizable).count();
    long ops = runs.stream().mapToLong(Verdicts::ops).sum();
    long lost = runs.stream().mapToLong(v -> v.set().lost().size()).sum();
    long info = runs.stream().mapToLong(Verdicts::info).sum();
    return String.format("linearizable: %d/%d runs, %d ops, %d lost, %d info", linearizable,
        runs.size(), ops, lost, info);
  }
}
