package raft.scenario;

import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.opentest4j.AssertionFailedError;

/**
 * Runs every golden script under {@code src/test/resources/scenario/} (see
 * {@link ScenarioRunner} for the language) and compares each command's output with the text
 * below its {@code ----} line.
 *
 * <ul>
 *   <li>{@code -Dscenario.rewrite=true}: write the actual outputs back into the files instead of
 *       comparing; then review the change with {@code git diff} before committing it.</li>
 *   <li>{@code -Dscenario.only=NAME}: run (or rewrite) only {@code NAME.txt}.</li>
 *   <li>A script whose first line is {@code # BUG: ...} documents a known protocol bug: it is
 *       skipped (reported as aborted) with that line as the reason.</li>
 * </ul>
 *
 * <p>The files are read from the source tree, not the classpath, so that a rewrite lands where
 * git sees it. Surefire runs tests from the module directory; other runners may set
 * {@code -Dscenario.dir=...}.
 */
class ScenarioTest {
  private static final boolean REWRITE = Boolean.getBoolean("scenario.rewrite");
  private static final int MAX_REPORTED = 3;

  @TestFactory
  Stream<DynamicTest> scenarios() throws IOException {
    Path dir = scenarioDir();
    String only = System.getProperty("scenario.only", "");
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".txt"))
          .filter(p -> only.isEmpty() || p.getFileName().toString().equals(only + ".txt"))
          .sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IllegalStateException("no scenario scripts in " + dir.toAbsolutePath());
    }
    return files.stream().map(f ->
        DynamicTest.dynamicTest(f.getFileName().toString(), f.toUri(), () -> runScript(f)));
  }

  private static Path scenarioDir() {
    String configured = System.getProperty("scenario.dir");
    if (configured != null) {
      return Path.of(configured);
    }
    Path p = Path.of("src/test/resources/scenario");
    return Files.isDirectory(p) ? p : Path.of("raft-tests/src/test/resources/scenario");
  }

  private static void runScript(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    ScenarioFile script = ScenarioFile.parse(text);
    String bug = script.bug();
    if (bug != null) {
      abort("known protocol bug, scenario skipped: " + bug);
    }
    List<String> actual = runAll(file, script);
    if (REWRITE) {
      Files.writeString(file, script.render(actual), StandardCharsets.UTF_8);
      return;
    }
    String report = mismatches(file, script, actual);
    if (!report.isEmpty()) {
      throw new AssertionFailedError(report
          + "\n(if the new output is right, rerun with -Dscenario.rewrite=true and review"
          + " the git diff)",
          script.render(script.expectedOutputs()), script.render(actual));
    }
  }

  private static List<String> runAll(Path file, ScenarioFile script) {
    ScenarioRunner runner = new ScenarioRunner();
    List<String> outputs = new ArrayList<>();
    for (ScenarioFile.Block b : script.blocks) {
      try {
        outputs.add(runner.run(b.command()));
      } catch (ScenarioException e) {
        outputs.add("error: " + e.getMessage());
      } catch (RuntimeException e) {
        // The protocol threw: that is a finding, not an output to record.
        throw new AssertionError(file.getFileName() + ":" + b.line() + ": '" + b.command()
            + "' threw " + e, e);
      }
    }
    return outputs;
  }

  /** A readable report of the blocks whose output differs, as line diffs; empty if none. */
  private static String mismatches(Path file, ScenarioFile script, List<String> actual) {
    StringBuilder sb = new StringBuilder();
    int bad = 0;
    for (int i = 0; i < script.blocks.size(); i++) {
      ScenarioFile.Block b = script.blocks.get(i);
      List<String> got = List.of(actual.get(i).split("\n", -1));
      if (got.equals(b.expected())) {
        continue;
      }
      if (++bad <= MAX_REPORTED) {
        sb.append(file.getFileName()).append(':').append(b.line()).append(": ")
            .append(b.command()).append("\n--- expected\n+++ actual\n")
            .append(LineDiff.diff(b.expected(), got)).append('\n');
      }
    }
    if (bad > MAX_REPORTED) {
      sb.append("... and ").append(bad - MAX_REPORTED).append(" more commands differ\n");
    }
    return sb.toString();
  }
}
