package raft.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/bench-micro}: runs {@link CoreCommit} and {@link MvccOps} with JMH in one run
 * and prints and writes the {@link MicroReport}. Blocks for the length of the run.
 */
@Command(name = "bench-micro", mixinStandardHelpOptions = true,
    description = {
        "Measures the pure Raft core (entries committed per second by 3 and 5 in-memory members)",
        "and the MVCC store (put, range of one key, range of 100 keys), and prints a Markdown",
        "summary."})
public final class BenchMicro implements Callable<Integer> {
  @Option(names = "--quick", description = "1 warmup iteration of 3 s and 2 measurement "
      + "iterations of 1 s, not 3 × 2 s and 5 × 1 s")
  boolean quick;

  @Option(names = "--out", description = "the Markdown report (default ${DEFAULT-VALUE})")
  Path out = Paths.get("reports/bench-micro/micro.md");

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchMicro()).execute(args));
  }

  @Override
  public Integer call() throws IOException, RunnerException {
    // The core needs about 2 s of one thread before C2 has compiled its hot paths (measured:
    // 45k, 290k, then 600k commits/s in the first three seconds), so one short warmup is not
    // enough even for a quick look.
    int warmups = quick ? 1 : 3;
    int warmupSeconds = quick ? 3 : 2;
    int measurements = quick ? 2 : 5;
    Options opts = new OptionsBuilder()
        .include(CoreCommit.class.getName() + "\\.")
        .include(MvccOps.class.getName() + "\\.")
        .forks(1)
        .warmupIterations(warmups).warmupTime(TimeValue.seconds(warmupSeconds))
        .measurementIterations(measurements).measurementTime(TimeValue.seconds(1))
        .shouldFailOnError(true)
        .build();
    Collection<RunResult> results = new Runner(opts).run();
    List<String> setup = setup(warmups, warmupSeconds, measurements);
    String md = new MicroReport(scores(results), setup).markdown();
    JmhRuns.printAndWrite(md, out, "bench-micro");
    return 0;
  }

  private static List<String> setup(int warmups, int warmupSeconds, int measurements) {
    return List.of(
        "JMH: 1 fork, " + warmups + " × " + warmupSeconds + " s warmup, " + measurements
            + " × 1 s measurement, one thread.",
        "JVM " + System.getProperty("java.version") + ", "
            + Runtime.getRuntime().availableProcessors() + " CPUs.");
  }

  static List<MicroReport.Score> scores(Collection<RunResult> results) {
    List<MicroReport.Score> scores = new ArrayList<>();
    for (RunResult r : results) {
      String bench = r.getParams().getBenchmark(); // package.Class.method
      int method = bench.lastIndexOf('.');
      String cls = bench.substring(bench.lastIndexOf('.', method - 1) + 1, method);
      Map<String, String> params = JmhRuns.params(r);
      var primary = r.getPrimaryResult();
      scores.add(new MicroReport.Score(cls, bench.substring(method + 1), params,
          primary.getScore(), primary.getScoreError(), primary.getStatistics().getMin(),
          primary.getStatistics().getMax()));
    }
    return scores;
  }
}
