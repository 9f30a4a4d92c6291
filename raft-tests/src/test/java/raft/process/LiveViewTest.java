package raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import raft.browser.Chromium;

/**
 * Issue 15's live view in a real browser, on a real 3-member cluster: `scripts/cluster view
 * --background` serves the page; clicking kill on the leader's card kills that process, and
 * another member is marked leader within 5 s of the click; the page's partition control cuts a
 * member off (its card says from whom) and heal brings it back; a paused member is marked
 * paused while the others go on updating; transfer and put work from the page too; the
 * console stays clean.
 * Screenshots of every step go to reports/view/live-*.png.
 */
class LiveViewTest {
  private static final int OFFSET = 220;
  /** Generous bounds for a slow machine; only the election's 5 s is the number. */
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final long NEW_LEADER_MILLIS = 5000;

  @Test
  @DisplayName("issue 15: kill the leader from the page and see a new leader within 5 s; partition and heal from the page")
  void killPartitionAndHealFromThePage() throws Exception {
    try (LocalCluster cluster = new LocalCluster(3, OFFSET, "live-view").start()) {
      LocalCluster.Result view = cluster.cluster("view", "--background");
      assertEquals(0, view.exit(), "view --background: " + view);
      String url = view.out().lines().findFirst().orElse("");
      assertEquals("http://127.0.0.1:" + (2390 + OFFSET) + "/", url, "the first line: " + view);
      long pid = Long.parseLong(Files.readString(cluster.data.resolve("view.pid")).trim());
      try (Chromium chromium = new Chromium()) {
        drive(chromium, url);
      }
      stopView(cluster, pid); // after a failure, the cluster's close stops the view
    }
  }

  private static void drive(Chromium chromium, String url) {
    WebDriver d = chromium.driver();
    List<String> errors = new ArrayList<>();
    chromium.open(url);
    chromium.waitFor(PATIENCE, "a card marked leader", () -> leader(d, "").isPresent());
    String old = leader(d, "").orElseThrow();
    chromium.screenshot("live-1-leader");
    killTheLeader(chromium, old);
    errors.addAll(chromium.consoleErrors());
    restartPauseResume(chromium, old);
    String cut = old; // a follower now: cutting it off leaves the leader a majority
    partitionAndHeal(chromium, cut);
    errors.addAll(chromium.consoleErrors());
    transferAndPut(chromium, cut);
    errors.addAll(chromium.consoleErrors());
    assertTrue(d.findElements(By.cssSelector("#rv-timeline [data-kind='leader']")).size() >= 2,
        "the timeline shows the leader changes");
    assertTrue(errors.isEmpty(), "browser console errors: " + errors);
  }

  /** The number: another member marked leader within 5 s of the click on kill. */
  private static void killTheLeader(Chromium chromium, String old) {
    WebDriver d = chromium.driver();
    long clicked = System.nanoTime();
    button(d, old, "kill").click();
    chromium.waitFor(PATIENCE, "another member marked leader after killing " + old,
        () -> leader(d, old).isPresent());
    long tookMillis = (System.nanoTime() - clicked) / 1_000_000;
    chromium.screenshot("live-2-new-leader");
    System.out.println("LiveViewTest: the page marked a new leader " + tookMillis
        + " ms after the click on kill of " + old);
    assertTrue(tookMillis <= NEW_LEADER_MILLIS, "the page showed a new leader "
        + tookMillis + " ms after the click on kill; the issue asks for 5 s");
    assertEquals("down", card(d, old).getDomAttribute("data-state"));
  }

  /** A paused member answers nothing: the page says so and keeps updating the others. */
  private static void restartPauseResume(Chromium chromium, String old) {
    WebDriver d = chromium.driver();
    button(d, old, "restart").click();
    chromium.waitFor(PATIENCE, old + " back up as a follower",
        () -> "follower".equals(card(d, old).getDomAttribute("data-role")));
    button(d, old, "pause").click();
    chromium.waitFor(PATIENCE, old + " marked paused",
        () -> "paused".equals(card(d, old).getDomAttribute("data-state")));
    String clock = d.findElement(By.id("rv-clock")).getText();
    chromium.waitFor(PATIENCE, "frames still coming while " + old + " is paused",
        () -> !d.findElement(By.id("rv-clock")).getText().equals(clock));
    chromium.screenshot("live-3-paused");
    button(d, old, "resume").click();
    chromium.waitFor(PATIENCE, old + " resumed as a follower",
        () -> "up".equals(card(d, old).getDomAttribute("data-state"))
            && "follower".equals(card(d, old).getDomAttribute("data-role")));
  }

  private static void partitionAndHeal(Chromium chromium, String cut) {
    WebDriver d = chromium.driver();
    d.findElement(By.cssSelector("[data-partition-member='" + cut + "']")).click();
    d.findElement(By.cssSelector("#rv-partition button[data-action='partition']")).click();
    chromium.waitFor(PATIENCE, cut + "'s card marked partitioned",
        () -> !card(d, cut).getDomAttribute("data-cut").isEmpty());
    chromium.screenshot("live-4-partitioned");
    assertTrue(card(d, cut).getDomAttribute("class").contains("rv-partitioned"));
    d.findElement(By.cssSelector("#rv-partition button[data-action='heal']")).click();
    chromium.waitFor(PATIENCE, cut + " rejoined: no cut, a follower of the leader", () -> {
      WebElement c = card(d, cut);
      return c.getDomAttribute("data-cut").isEmpty()
          && "follower".equals(c.getDomAttribute("data-role"))
          && leader(d, "").isPresent() && c.findElement(By.cssSelector(
              "[data-field='leader']")).getText().equals(leader(d, "").get());
    });
    chromium.screenshot("live-5-healed");
  }

  /** Leadership moved by the page (scripts/cluster transfer, etcd's MoveLeader), and a put. */
  private static void transferAndPut(Chromium chromium, String to) {
    WebDriver d = chromium.driver();
    button(d, to, "transfer").click();
    chromium.waitFor(PATIENCE, to + " marked leader after the transfer",
        () -> leader(d, "").filter(to::equals).isPresent());
    d.findElement(By.id("rv-put-key")).sendKeys("greeting");
    d.findElement(By.id("rv-put-value")).sendKeys("hello");
    d.findElement(By.cssSelector("#rv-put button[data-action='put']")).click();
    chromium.waitFor(PATIENCE, "the put answered OK", () -> "ok".equals(d.findElement(
        By.id("rv-output")).getDomAttribute("data-result")));
    chromium.waitFor(PATIENCE, "the put on the timeline",
        () -> !d.findElements(By.cssSelector("#rv-timeline [data-kind='put']")).isEmpty());
    chromium.screenshot("live-6-transferred");
  }

  /** The member whose card says leader (and up), other than {@code not}. */
  private static Optional<String> leader(WebDriver d, String not) {
    return d.findElements(By.cssSelector(".rv-card[data-role='leader'][data-state='up']"))
        .stream().map(e -> e.getDomAttribute("data-member")).filter(n -> !n.equals(not))
        .findFirst();
  }

  private static WebElement card(WebDriver d, String member) {
    return d.findElement(By.cssSelector(".rv-card[data-member='" + member + "']"));
  }

  private static WebElement button(WebDriver d, String member, String action) {
    return card(d, member).findElement(By.cssSelector("button[data-action='" + action + "']"));
  }

  /** scripts/cluster stop ends the view process it started and removes its pid file. */
  private static void stopView(LocalCluster cluster, long pid) throws Exception {
    LocalCluster.Result stop = cluster.cluster("stop");
    assertEquals(0, stop.exit(), "stop: " + stop);
    assertTrue(stop.out().contains("stopped the view (pid " + pid + ")"), "stop: " + stop);
    Optional<ProcessHandle> view = ProcessHandle.of(pid);
    if (view.isPresent()) { // stop waits for it; this only bounds a surprise
      view.get().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
    }
    assertTrue(!Files.exists(cluster.data.resolve("view.pid")), "view.pid removed");
  }
}
