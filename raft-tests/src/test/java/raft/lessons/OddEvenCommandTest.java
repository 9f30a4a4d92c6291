package raft.lessons;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import picocli.CommandLine;
import raft.lessons.OddEvenCommand.Report;
import raft.lessons.OddEvenCommand.Row;

/** {@code scripts/odd-even}, run in-process: its table, its files, its checks and its errors. */
class OddEvenCommandTest {
  private record Run(int exit, String out, String err) {}

  private static Run oddEven(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine cmd = new CommandLine(new OddEvenCommand(
        new PrintStream(out, true, StandardCharsets.UTF_8)));
    cmd.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    int exit = cmd.execute(args);
    return new Run(exit, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("odd-even prints tolerance 0,0,1,1,2,2,3 and, growing 3 -> 4 -> 5, 1,1,2; writes"
      + " the Markdown and a 7-line SVG, and a seed replays byte for byte")
  void reportTableAndFiles(@TempDir Path dir) throws Exception {
    Run run = oddEven("--trials", "4000", "--seed", "7", "--out", dir.resolve("a").toString());
    assertEquals(0, run.exit(), run.out() + run.err());
    List<String[]> rows = mainTable(run.out());
    assertEquals(7, rows.size(), run.out());
    for (int n = 1; n <= 7; n++) {
      String[] cells = rows.get(n - 1);
      assertEquals("" + n, cells[0], "members");
      assertEquals("" + (n / 2 + 1), cells[1], "quorum of " + n);
      assertEquals("" + (n - 1) / 2, cells[2], "tolerated failures of " + n);
    }
    assertTrue(run.out().contains("replay: scripts/odd-even --trials 4000 --seed 7"), run.out());
    List<String[]> growth = growthTable(run.out());
    assertEquals(3, growth.size(), run.out());
    for (int i = 0; i < 3; i++) {
      String[] cells = growth.get(i);
      int voters = 3 + i;
      assertEquals("" + voters, cells[0], "voters on the way");
      assertEquals("" + (voters / 2 + 1), cells[1], "quorum of " + voters);
      assertEquals("" + (voters - 1) / 2, cells[cells.length - 1], "tolerated at " + voters);
    }
    assertTrue(run.out().contains("check: growing 3 -> 4 -> 5 through learners, tolerated"
        + " 3: 1, 4: 1, 5: 2 are (n-1)/2: ok"), run.out());

    Path md = dir.resolve("a").resolve(OddEvenCommand.MARKDOWN);
    Path svg = dir.resolve("a").resolve(OddEvenCommand.SVG);
    assertTrue(run.out().contains("wrote " + md), run.out());
    assertTrue(run.out().contains("wrote " + svg), run.out());
    String markdown = Files.readString(md);
    assertTrue(markdown.contains("`scripts/odd-even --trials 4000 --seed 7`"), markdown);
    assertTrue(markdown.contains("| members | quorum | tolerates |"), markdown);
    assertTrue(markdown.contains("](" + OddEvenCommand.SVG + ")"), "links the chart");

    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(svg.toFile());
    NodeList lines = doc.getElementsByTagName("polyline");
    assertEquals(7, lines.getLength(), "one polyline per size");
    for (int i = 0; i < 7; i++) {
      boolean dashed = ((Element) lines.item(i)).hasAttribute("stroke-dasharray");
      assertEquals((i + 1) % 2 == 0, dashed, "even sizes dashed, odd solid: " + (i + 1));
    }

    Run again = oddEven("--trials", "4000", "--seed", "7", "--out", dir.resolve("b").toString());
    assertEquals(run.out().replace(dir.resolve("a").toString(), "DIR"),
        again.out().replace(dir.resolve("b").toString(), "DIR"), "same seed, same report");
    assertEquals(Files.readString(svg), Files.readString(dir.resolve("b").resolve(
        OddEvenCommand.SVG)), "same seed, same chart");
  }

  /** The rows under the header "members  quorum  tolerates ...", split on spaces. */
  private static List<String[]> mainTable(String out) {
    return tableUnder("members  quorum  tolerates", out);
  }

  /** The rows of the table "Growing 3 -> 4 -> 5 ...", split on spaces. */
  private static List<String[]> growthTable(String out) {
    return tableUnder("voters  quorum  joined with down", out);
  }

  /** The numbered rows right under the line that starts with {@code header}. */
  private static List<String[]> tableUnder(String header, String out) {
    List<String[]> rows = new ArrayList<>();
    boolean in = false;
    for (String line : out.split("\n")) {
      if (line.trim().startsWith(header)) {
        in = true;
      } else if (in && line.matches("\\s+\\d.*")) {
        rows.add(line.trim().split("\\s+"));
      } else if (in) {
        break;
      }
    }
    return rows;
  }

  @Test
  @DisplayName("a growth path that tolerates the wrong number, or stops short of 5, is a"
      + " failure")
  void checksCatchAWrongGrowth() {
    raft.sim.SimResult ok = Growth.path(3, 3, 1).get(0).result();
    List<Growth.Step> good = List.of(new Growth.Step(3, 0, List.of(true, false), ok),
        new Growth.Step(4, 3, List.of(true, false), ok),
        new Growth.Step(5, 4, List.of(true, true, false), ok));
    assertEquals(List.of(), OddEvenCommand.checkGrowth(good));
    List<Growth.Step> fourTooStrong = List.of(good.get(0),
        new Growth.Step(4, 3, List.of(true, true, false), ok), good.get(2));
    assertEquals(List.of("growth: at 4 voters the cluster tolerated 2 crashes, expected (n-1)/2"
        + " = 1"), OddEvenCommand.checkGrowth(fourTooStrong));
    assertEquals(List.of("growth: stopped at 4 voters, short of 5"),
        OddEvenCommand.checkGrowth(good.subList(0, 2)));
  }

  @Test
  @DisplayName("--trials 0 is refused with a message that names it")
  void zeroTrialsIsRefused() {
    Run r = oddEven("--trials", "0");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--trials must be between 1 and 1000000, got 0"), r.err());
  }

  @Test
  @DisplayName("an --out that is a file is refused before measuring anything")
  void outThatIsAFileIsRefused(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("file"), "x");
    Run r = oddEven("--seed", "1", "--out", file.toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--out " + file + " is a file, not a folder"), r.err());
    assertEquals("", r.out(), "nothing measured or printed");
  }

  @Test
  @DisplayName("a wrong tolerance or an even size that beats the odd one below is a failure")
  void checksCatchAWrongLesson() {
    Report good = majorityReport();
    assertEquals(List.of(), OddEvenCommand.check(good));

    Report wrongTolerance = majorityReport();
    Row four = wrongTolerance.row(4);
    wrongTolerance.rows().set(3, new Row(4, 2, four.ok(), four.measured(), four.closed(),
        four.z(), four.exact(), four.cost()));
    assertEquals(List.of("tolerance: 4 members tolerated 2 crashes, expected (n-1)/2 = 1"),
        OddEvenCommand.check(wrongTolerance));

    Report evenWins = majorityReport();
    Row three = evenWins.row(3);
    evenWins.rows().set(3, new Row(4, 1, three.ok(), three.measured(), three.closed(),
        three.z(), three.exact(), three.cost())); // 4 members exactly as available as 3
    List<String> failures = OddEvenCommand.check(evenWins);
    assertEquals(5, failures.size(), failures.toString()); // exact ties at every p
    assertTrue(failures.get(0).startsWith("ordering (exact): 4 members 99.97020% is not below"
        + " 3 members 99.97020% at p = 1%"), failures.get(0));
  }

  @Test
  @DisplayName("a cell beyond 3 standard errors is marked with * and explained, not hidden")
  void beyondThreeStandardErrorsIsMarked() {
    Report r = majorityReport();
    Row five = r.row(5);
    double[] z = five.z().clone();
    z[2] = 3.4;
    r.rows().set(4, new Row(5, 2, five.ok(), five.measured(), five.closed(), z, five.exact(),
        five.cost()));
    String text = OddEvenTables.terminal(r);
    assertTrue(text.contains("3.4*"), text);
    assertTrue(text.contains("* beyond 3 SE"), text);
    assertTrue(OddEvenTables.markdown(r, "chart.svg").contains("3.4\\*"), "escaped in Markdown");
    assertTrue(OddEvenChart.svg(r).contains("<polyline"), "the chart still draws");
  }

  /** A report as the majority rule predicts it, without running the simulator. */
  private static Report majorityReport() {
    List<Row> rows = new ArrayList<>();
    double[] ps = Availability.PS;
    for (int n = 1; n <= 7; n++) {
      boolean[] ok = new boolean[1 << n];
      for (int mask = 0; mask < ok.length; mask++) {
        ok[mask] = Integer.bitCount(mask) <= (n - 1) / 2;
      }
      double[] closed = new double[ps.length];
      for (int j = 0; j < ps.length; j++) {
        closed[j] = Availability.closedForm(n, ps[j]);
      }
      rows.add(new Row(n, (n - 1) / 2, ok, closed.clone(), closed, new double[ps.length],
          closed.clone(), new PriceOfSize.Cost(n, 0, 0, 0)));
    }
    return new Report(1, 20_000, rows);
  }
}
