package raft.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import raft.kv.cluster.ViewFrame;
import raft.sim.replay.ReplayPage;

/** scripts/simulate --html: the frames it records, and that recording changes nothing. */
class ReplayRecorderTest {
  private static final Set<String> FRAME = Set.of("clock", "members", "messages", "events");
  private static final Set<String> MEMBER = Set.of("name", "id", "state", "role", "voter",
      "term", "vote", "leader", "commit", "applied", "lastIndex", "log", "cut", "failure");
  private static final Set<String> MESSAGE = Set.of("from", "to", "type", "count");
  private static final Set<String> EVENT = Set.of("seq", "clock", "member", "kind", "text");
  private static final Set<String> STATES = Set.of("up", "down", "paused", "stopped");
  private static final Set<String> ROLES = Set.of("leader", "follower", "candidate",
      "pre-candidate", "learner", "");
  private static final Set<String> TYPES = Set.of("heartbeat", "append", "vote", "prevote",
      "snapshot", "response");
  private static final Set<String> KINDS = Set.of("election", "leader", "kill", "restart",
      "pause", "resume", "partition", "heal", "snapshot", "alarm", "member", "put", "transfer",
      "narration");
  private static final Pattern CLOCK = Pattern.compile("tick \\d+\\.\\d\\d");

  private static SimConfig config(long seed, String faults, long ticks) {
    SimConfig cfg = new SimConfig();
    cfg.nodes = 3;
    cfg.seed = seed;
    cfg.ticks = ticks;
    cfg.healedTail = Math.min(cfg.healedTail, ticks / 2);
    cfg.faults = SimConfig.Fault.parse(faults);
    cfg.trace = true;
    return cfg;
  }

  private static List<ViewFrame> record(SimConfig cfg, long fromTick, long untilTick, int step,
      List<String> trace) {
    Simulator sim = new Simulator(cfg, trace::add);
    ReplayRecorder r = new ReplayRecorder(sim, fromTick * Simulator.TICK,
        untilTick * Simulator.TICK, step);
    sim.record(r);
    SimResult result = sim.run();
    r.finish(sim.now(), result.summary());
    return r.frames();
  }

  @Test
  void framesHaveTheSchemasFieldsALeaderAndMessages() {
    List<ViewFrame> frames = record(config(7, "crash,partition", 300), 0, 300, 50, new ArrayList<>());
    assertEquals(601, frames.size(), "one frame each half tick from 0 to 300");
    JsonArray json = JsonParser.parseString(ReplayPage.json(frames)).getAsJsonArray();
    boolean leader = false;
    long messages = 0;
    Set<String> kinds = new java.util.TreeSet<>();
    for (JsonElement f : json) {
      JsonObject frame = f.getAsJsonObject();
      assertEquals(FRAME, frame.keySet());
      assertTrue(CLOCK.matcher(frame.get("clock").getAsString()).matches(), frame.toString());
      for (JsonElement m : frame.getAsJsonArray("members")) {
        leader |= checkMember(m.getAsJsonObject());
      }
      for (JsonElement m : frame.getAsJsonArray("messages")) {
        JsonObject msg = m.getAsJsonObject();
        assertEquals(MESSAGE, msg.keySet());
        assertTrue(TYPES.contains(msg.get("type").getAsString()), msg.toString());
        assertFalse(msg.get("from").getAsString().equals(msg.get("to").getAsString()));
        messages += msg.get("count").getAsLong();
      }
      for (JsonElement e : frame.getAsJsonArray("events")) {
        JsonObject ev = e.getAsJsonObject();
        assertEquals(EVENT, ev.keySet());
        assertTrue(KINDS.contains(ev.get("kind").getAsString()), ev.toString());
        kinds.add(ev.get("kind").getAsString());
      }
    }
    assertTrue(leader, "some frame has a leader that is up");
    assertTrue(messages > 0, "messages were counted on some edge");
    assertTrue(kinds.containsAll(Set.of("election", "leader", "kill", "restart", "partition")),
        "the trace's elections, leaders, crashes, restarts and partitions: " + kinds);
  }

  /** Checks one member's fields; true if it is an up leader. */
  private static boolean checkMember(JsonObject m) {
    assertEquals(MEMBER, m.keySet());
    assertTrue(m.get("name").getAsString().matches("n\\d+"), m.toString());
    assertTrue(STATES.contains(m.get("state").getAsString()), m.toString());
    assertTrue(ROLES.contains(m.get("role").getAsString()), m.toString());
    JsonArray log = m.getAsJsonArray("log");
    assertTrue(log.size() <= 20, m.toString());
    long last = -1;
    for (JsonElement e : log) {
      long index = e.getAsJsonObject().get("index").getAsLong();
      assertTrue(index > last, "ascending: " + m);
      last = index;
    }
    if (log.size() > 0) {
      assertEquals(m.get("lastIndex").getAsLong(), last, m.toString());
    }
    return m.get("role").getAsString().equals("leader")
        && m.get("state").getAsString().equals("up");
  }

  @Test
  void recordingChangesNothing() {
    for (String faults : List.of("all", "members,crash", "drop")) {
      List<String> plain = new ArrayList<>();
      String summary = new Simulator(config(42, faults, 1500), plain::add).run().summary();
      List<String> recorded = new ArrayList<>();
      SimConfig cfg = config(42, faults, 1500);
      Simulator sim = new Simulator(cfg, recorded::add);
      sim.record(new ReplayRecorder(sim, 100 * Simulator.TICK, 1100 * Simulator.TICK, 50));
      assertEquals(summary, sim.run().summary(), faults);
      assertEquals(plain, recorded, "the same seed prints the same trace, recorded or not");
    }
  }

  /**
   * Without --trace a failing run prints its last trace lines: recording must not add to them
   * (it once did: the leaders' "committed N entries" lines the replay asks for). A broken
   * protocol gives failing runs; a commit line lands in the last 40 of some of them.
   */
  @Test
  void aFailingRunPrintsTheSameReportRecordedOrNot() {
    int compared = 0;
    for (long seed = 1; seed <= 300 && compared < 25; seed++) {
      SimResult plain = new Simulator(broken(seed), null).run();
      if (plain.safe()) {
        continue;
      }
      Simulator sim = new Simulator(broken(seed), null);
      sim.record(new ReplayRecorder(sim, 0, 1500 * Simulator.TICK, 100));
      assertEquals(plain.report(), sim.run().report(), "seed " + seed);
      compared++;
    }
    assertEquals(25, compared, "failing runs of the broken protocol compared");
  }

  private static SimConfig broken(long seed) {
    SimConfig cfg = config(seed, "all", 1500);
    cfg.trace = false;
    cfg.raftFactory = raft.props.BrokenRaft.APPEND_WITHOUT_CONSISTENCY_CHECK.factory;
    return cfg;
  }

  @Test
  void aWindowRecordsOnlyItsTicksAndTheirEvents() {
    List<ViewFrame> frames = record(config(11, "all", 400), 100, 150, 100, new ArrayList<>());
    assertEquals("tick 100.00", frames.get(0).clock());
    assertEquals("tick 150.00", frames.get(frames.size() - 1).clock());
    assertEquals(51, frames.size());
    for (ViewFrame f : frames) {
      for (ViewFrame.Event e : f.events()) {
        Matcher m = Pattern.compile("tick (\\d+)\\.(\\d\\d)").matcher(e.clock());
        assertTrue(m.matches(), e.clock());
        long t = Long.parseLong(m.group(1)) * 100 + Long.parseLong(m.group(2));
        assertTrue(t > 9_900 && t <= 15_000, "event inside the window: " + e);
      }
    }
    ViewFrame last = frames.get(frames.size() - 1);
    assertTrue(last.events().get(last.events().size() - 1).text().startsWith("safety: ok"),
        "the verdict closes the timeline");
  }

  @Test
  void membershipShowsLearnersAndStoppedMembersThatThenLeaveThePage() {
    List<ViewFrame> frames = record(config(21, "members,crash", 2000), 0, 2000, 100,
        new ArrayList<>());
    boolean learner = false;
    java.util.Map<String, Integer> firstStopped = new java.util.TreeMap<>();
    java.util.Map<String, Integer> lastShown = new java.util.TreeMap<>();
    for (int i = 0; i < frames.size(); i++) {
      for (ViewFrame.Member m : frames.get(i).members()) {
        learner |= m.role().equals("learner") && !m.voter();
        if (m.state().equals("stopped")) {
          firstStopped.putIfAbsent(m.name(), i);
        }
        lastShown.put(m.name(), i);
      }
    }
    assertTrue(learner, "an added member is a learner first");
    assertFalse(firstStopped.isEmpty(), "a removed member is shown stopped");
    firstStopped.forEach((name, i) -> assertTrue(lastShown.get(name) - i <= 20,
        name + " stopped at frame " + i + ", still shown at " + lastShown.get(name)));
  }

  @Test
  void theCommandWritesTheReplayAndKeepsItsOutput(@TempDir Path dir) throws Exception {
    Path html = dir.resolve("run.html");
    String[] plain = {"--seed", "7", "--ticks", "600", "--trace"};
    String[] withHtml = {"--seed", "7", "--ticks", "600", "--trace", "--html", html.toString(),
        "--html-ticks", "100"};
    String without = run(plain)[0];
    String[] with = run(withHtml);
    assertEquals(without, with[0], "stdout is the same with --html");
    assertTrue(with[1].contains("wrote 201 frames (ticks 0 to 100)"), with[1]);
    String page = Files.readString(html);
    assertTrue(page.contains("window.RaftView"), "the view's drawing code is inlined");
    assertTrue(page.contains("RaftReplay"), "the player is inlined");
    assertFalse(page.contains("<script src"), "nothing is loaded from elsewhere");
    String[] tooMany = run("--seed", "7", "--html", html.toString(), "--html-ticks", "3000");
    assertTrue(tooMany[1].contains("at most " + ReplayRecorder.MAX_FRAMES), tooMany[1]);
  }

  /** stdout and stderr of scripts/simulate run in-process. */
  private static String[] run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine cmd = new CommandLine(new SimulateCommand(
        new PrintStream(out, true, StandardCharsets.UTF_8)));
    cmd.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    cmd.execute(args);
    return new String[] {out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8)};
  }
}
