package raft.bench;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
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
 * {@code scripts/bench-wal}: runs {@link FsyncFloor} and {@link WalAppend} with JMH in one run,
 * so that the WAL is measured against the fsync floor of the same disk at the same time, and
 * prints and writes the {@link WalReport}. Blocks for the length of the run.
 */
@Command(name = "bench-wal", mixinStandardHelpOptions = true,
    description = {
        "Measures durable WAL appends (Wal.save with sync) at batch sizes 1, 10 and 100 against",
        "the raw fsync floor of the disk that holds --dir, and prints a Markdown summary."})
public final class BenchWal implements Callable<Integer> {
  @Option(names = "--quick", description = "1 warmup and 2 measurement iterations, not 3 and 5")
  boolean quick;

  @Option(names = "--dir", description = "where the benchmark files go; measures that disk "
      + "(default: the system temp dir)")
  Path dir = Paths.get(System.getProperty("java.io.tmpdir"));

  @Option(names = "--out", description = "the Markdown report (default ${DEFAULT-VALUE})")
  Path out = Paths.get("reports/bench-wal/wal.md");

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchWal()).execute(args));
  }

  @Override
  public Integer call() throws IOException, RunnerException {
    Files.createDirectories(dir);
    int warmups = quick ? 1 : 3;
    int measurements = quick ? 2 : 5;
    Options opts = new OptionsBuilder()
        .include(FsyncFloor.class.getName() + "\\.")
        .include(WalAppend.class.getName() + "\\.")
        .forks(1)
        .warmupIterations(warmups).warmupTime(TimeValue.seconds(1))
        .measurementIterations(measurements).measurementTime(TimeValue.seconds(1))
        .jvmArgsAppend("-D" + BenchDirs.PROPERTY + "=" + dir.toAbsolutePath())
        .shouldFailOnError(true)
        .build();
    Collection<RunResult> results = new Runner(opts).run();
    List<String> setup = setup(warmups, measurements);
    String md = new WalReport(scores(results), setup).markdown();
    JmhRuns.printAndWrite(md, out, "bench-wal");
    return 0;
  }

  private List<String> setup(int warmups, int measurements) throws IOException {
    FileStore store = Files.getFileStore(dir);
    List<String> lines = new ArrayList<>();
    lines.add("Files under `" + dir.toAbsolutePath() + "` on " + store.name() + " ("
        + store.type() + "): the benchmark measures that disk.");
    lines.add("JMH: 1 fork, " + warmups + " × 1 s warmup, " + measurements
        + " × 1 s measurement, one thread; ± is JMH's 99.9% confidence half-width.");
    lines.add("JVM " + System.getProperty("java.version") + ", "
        + Runtime.getRuntime().availableProcessors() + " CPUs. Numbers from a shared or virtual"
        + " disk are noisy: compare the rows of one run, not runs on different machines.");
    return lines;
  }

  static List<WalReport.Score> scores(Collection<RunResult> results) {
    List<WalReport.Score> scores = new ArrayList<>();
    for (RunResult r : results) {
      String bench = r.getParams().getBenchmark();
      Map<String, String> params = JmhRuns.params(r);
      scores.add(new WalReport.Score(bench.substring(bench.lastIndexOf('.') + 1), params,
          r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()));
    }
    return scores;
  }
}
