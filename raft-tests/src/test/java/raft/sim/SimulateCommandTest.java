package raft.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code scripts/simulate}, run in-process: its summary, its determinism, its errors. */
class SimulateCommandTest {
  private static final Pattern SUMMARY = Pattern.compile(
      "safety: ok nodes=(\\d+) seed=(\\d+) ticks=(\\d+) elections=(\\d+) leaders=(\\d+)"
          + " committed=(\\d+) reads=(\\d+) faults=(\\d+)(?: configurations=(\\d+) added=(\\d+))?");

  private record Run(int exit, String out, String err) {}

  private static Run simulate(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine cmd = new CommandLine(new SimulateCommand(
        new PrintStream(out, true, StandardCharsets.UTF_8)));
    cmd.setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));
    int exit = cmd.execute(args);
    return new Run(exit, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "{0} nodes, seed {1}")
  @CsvSource({"3, 11", "5, 12", "3, 13", "5, 14"})
  @DisplayName("simulate --faults all ends 'safety: ok' with elections, commits and faults, and a seed replays byte for byte")
  void summaryIsOkAndDeterministic(int nodes, long seed) {
    String[] args = {"--nodes", "" + nodes, "--seed", "" + seed, "--ticks", "4000",
        "--faults", "all", "--trace"};
    Run first = simulate(args);
    Run second = simulate(args);
    assertEquals(0, first.exit(), first.out());
    assertEquals(first.out(), second.out(), "the same seed must print the same output");
    String[] lines = first.out().strip().split("\n");
    Matcher m = SUMMARY.matcher(lines[lines.length - 1]);
    assertTrue(m.matches(), "last line: " + lines[lines.length - 1]);
    assertEquals(nodes, Integer.parseInt(m.group(1)));
    assertTrue(Long.parseLong(m.group(4)) > 0, "elections");
    assertTrue(Long.parseLong(m.group(6)) > 0, "committed");
    assertTrue(Long.parseLong(m.group(8)) > 0, "faults");
    assertTrue(first.out().contains("became leader at term"), "the trace shows elections");
  }

  @ParameterizedTest(name = "{0} founding voters, seed {1}")
  @CsvSource({"3, 21", "5, 22"})
  @DisplayName("simulate --faults members changes the membership (members added with an empty"
      + " log, removed, stopped), ends 'safety: ok', and a seed replays byte for byte")
  void membersChangeAndReplay(int nodes, long seed) {
    String[] args = {"--nodes", "" + nodes, "--seed", "" + seed, "--ticks", "3000",
        "--faults", "members,crash", "--trace"};
    Run first = simulate(args);
    Run second = simulate(args);
    assertEquals(0, first.exit(), first.out());
    assertEquals(first.out(), second.out(), "the same seed must print the same output");
    String[] lines = first.out().strip().split("\n");
    Matcher m = SUMMARY.matcher(lines[lines.length - 1]);
    assertTrue(m.matches(), "last line: " + lines[lines.length - 1]);
    assertTrue(Long.parseLong(m.group(9)) > 2, "configurations committed: " + m.group(9));
    assertTrue(Long.parseLong(m.group(10)) > 0, "members added: " + m.group(10));
    assertTrue(first.out().contains("started with an empty log"), "a member joined");
    assertTrue(first.out().contains("stopped for good (not in the configuration)"),
        "a removed member was stopped");
    assertTrue(first.out().contains("proposed to leader"), "changes were proposed");
  }

  @Test
  @DisplayName("a different seed gives a different run")
  void seedsDiffer() {
    assertTrue(!simulate("--seed", "1", "--ticks", "2000", "--trace").out()
        .equals(simulate("--seed", "2", "--ticks", "2000", "--trace").out()));
  }

  @Test
  @DisplayName("an unknown fault kind is refused with a message that names it")
  void unknownFaultIsRefused() {
    Run r = simulate("--faults", "meteor");
    assertTrue(r.exit() != 0);
    assertTrue(r.err().contains("unknown fault 'meteor': expected none, crash, partition, drop,"
        + " members or all"), r.err());
  }

  @Test
  @DisplayName("a cluster size out of range is refused with a message that names it")
  void badNodeCountIsRefused() {
    Run r = simulate("--nodes", "0");
    assertTrue(r.exit() != 0);
    assertTrue(r.err().contains("--nodes must be between 1 and 9, got 0"), r.err());
  }
}
