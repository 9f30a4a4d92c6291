package raft.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import picocli.CommandLine;
import raft.browser.Chromium;

/**
 * The page scripts/simulate --html writes, in a real browser: it loads from disk with no
 * console error, steps to the first frame with a leader and draws that member's card as the
 * leader (view.js's data-role), plays on, seeks back to the start, and opens at #frame=N.
 */
class ReplayPageTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void stepsToTheFirstLeaderPlaysAndSeeksBack(@TempDir Path dir) throws Exception {
    Path html = dir.resolve("run.html");
    simulate("--seed", "7", "--ticks", "400", "--faults", "crash,partition", "--html",
        html.toString(), "--html-ticks", "60");
    assertTrue(Files.size(html) > 10_000, "the page was written");
    try (Chromium chromium = new Chromium()) {
      chromium.open(html.toUri().toString());
      WebDriver d = chromium.driver();
      chromium.waitFor(WAIT, "the player at frame 0", () -> "0".equals(frame(d)));
      long first = firstLeaderFrame(d);
      assertTrue(first > 0, "frame 0 has no leader yet; the first one is later: " + first);
      assertTrue(leaderCards(d).isEmpty(), "no card is marked leader at frame 0");

      WebElement forward = d.findElement(By.cssSelector("[data-control=forward]"));
      for (int i = 0; i < first && leaderCards(d).isEmpty(); i++) {
        forward.click();
      }
      assertEquals(String.valueOf(first), frame(d), "a card turns leader at the first frame"
          + " whose data has one, not before");
      List<WebElement> leaders = leaderCards(d);
      assertEquals(1, leaders.size(), "one leader card");
      String name = leaders.get(0).getAttribute("data-member");
      assertEquals(name, d.findElement(By.id("rv-leader")).getAttribute("data-leader"));
      assertTrue(d.findElements(By.cssSelector("[data-kind=leader]")).size() > 0,
          "the timeline shows the election's leader event");
      chromium.screenshot("replay");

      d.findElement(By.cssSelector("[data-control=play]")).click();
      chromium.waitFor(WAIT, "playing moves on", () -> Long.parseLong(frame(d)) > first + 2);
      d.findElement(By.cssSelector("[data-control=play]")).click();
      chromium.waitFor(WAIT, "paused", () -> "false".equals(
          d.findElement(By.id("rp-player")).getAttribute("data-playing")));

      d.findElement(By.cssSelector("[data-control=first]")).click();
      chromium.waitFor(WAIT, "back at frame 0", () -> "0".equals(frame(d)));
      assertTrue(leaderCards(d).isEmpty(), "seeking back redraws frame 0: no leader");
      assertTrue(d.findElements(By.cssSelector("[data-kind=leader]")).isEmpty(),
          "and its timeline, without the later leader event");
      chromium.open("about:blank");
      chromium.open(html.toUri() + "#frame=" + first);
      chromium.waitFor(WAIT, "#frame=N opens at frame N", () -> frame(d).equals("" + first));
      assertEquals(1, leaderCards(d).size(), "and draws it");
      List<String> errors = new ArrayList<>(chromium.consoleErrors());
      assertEquals(List.of(), errors, "no console errors");
    }
  }

  private static String frame(WebDriver d) {
    return d.findElement(By.id("rp-player")).getAttribute("data-frame");
  }

  private static List<WebElement> leaderCards(WebDriver d) {
    return d.findElements(By.cssSelector(".rv-card[data-role=leader][data-state=up]"));
  }

  /** The index of the first recorded frame in which an up member is the leader. */
  private static long firstLeaderFrame(WebDriver d) {
    Object i = ((JavascriptExecutor) d).executeScript(
        "return window.RaftReplay.frames.findIndex(f => f.members.some("
            + "m => m.role === 'leader' && m.state === 'up'));");
    return ((Number) i).longValue();
  }

  private static void simulate(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CommandLine cmd = new CommandLine(new SimulateCommand(
        new PrintStream(out, true, StandardCharsets.UTF_8)));
    cmd.setErr(new PrintWriter(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertEquals(0, cmd.execute(args), out.toString(StandardCharsets.UTF_8));
  }
}
