package raft.kv.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.kv.cluster.ViewFrame.Event;
import raft.kv.cluster.ViewFrame.Member;

/** The timeline's events from what changed between two polls. */
class ViewTimelineTest {
  private final ViewTimeline timeline = new ViewTimeline();
  private Map<String, Member> before = new LinkedHashMap<>();

  private static Member m(String name, String state, String role, long term, String vote,
      List<String> cut) {
    return new Member(name, name.substring(1), state, role, true, term, vote, "", 0, 0, 0,
        List.of(), cut, "");
  }

  private List<String> poll(Member... now) {
    timeline.compare(before, List.of(now), "12:00:00.000");
    before = new LinkedHashMap<>();
    for (Member x : now) {
      before.put(x.name(), x);
    }
    return timeline.drain().stream().map(e -> e.kind() + ": " + e.text()).toList();
  }

  @Test
  @DisplayName("a kill, the election it causes and the new leader, in the words of the timeline")
  void killElectionAndNewLeader() {
    poll(m("n1", "up", "leader", 2, "n1", List.of()), m("n2", "up", "follower", 2, "n1",
        List.of()));
    assertEquals(List.of("kill: n1 is down (its process ended)",
        "leader: no leader (n1 no longer leads)"),
        poll(m("n1", "down", "", 2, "n1", List.of()), m("n2", "up", "follower", 2, "n1",
            List.of())));
    assertEquals(List.of("election: term 3 began: n2 stood for election",
        "leader: n2 became leader in term 3"),
        poll(m("n1", "down", "", 2, "n1", List.of()), m("n2", "up", "leader", 3, "n2",
            List.of())));
    assertEquals(List.of("restart: n1 is up"),
        poll(m("n1", "up", "follower", 3, "", List.of()), m("n2", "up", "leader", 3, "n2",
            List.of())));
  }

  @Test
  @DisplayName("a leader that misses one poll's deadline is no leader change")
  void aSilentLeaderStillLeads() {
    poll(m("n1", "up", "leader", 2, "n1", List.of()), m("n2", "up", "follower", 2, "n1",
        List.of()));
    assertEquals(List.of(), poll(m("n1", "up", "", 2, "n1", List.of()),
        m("n2", "up", "follower", 2, "n1", List.of())));
    assertEquals(List.of(), poll(m("n1", "up", "leader", 2, "n1", List.of()),
        m("n2", "up", "follower", 2, "n1", List.of())));
    assertEquals(List.of("election: term 3 began: n2 stood for election",
        "leader: n2 became leader in term 3"), poll(m("n1", "up", "", 2, "n1", List.of()),
        m("n2", "up", "leader", 3, "n2", List.of())));
  }

  @Test
  @DisplayName("partitions: new cut pairs once, then healed")
  void partitionAndHeal() {
    poll(m("n1", "up", "follower", 2, "", List.of()), m("n2", "up", "leader", 2, "n2",
        List.of()));
    assertEquals(List.of("partition: cut off from each other: n1-n2"),
        poll(m("n1", "up", "follower", 2, "", List.of("n2")), m("n2", "up", "leader", 2, "n2",
            List.of("n1"))));
    assertEquals(List.of("pause: n1 is paused (SIGSTOP): it answers nothing"),
        poll(m("n1", "paused", "", 2, "", List.of("n2")), m("n2", "up", "leader", 2, "n2",
            List.of("n1"))));
    assertEquals(List.of("resume: n1 resumed", "heal: every partition healed: n1-n2"),
        poll(m("n1", "up", "follower", 2, "", List.of()), m("n2", "up", "leader", 2, "n2",
            List.of())));
  }

  @Test
  @DisplayName("events added by others get increasing seq numbers and come out in clock order")
  void seqAndClockOrder() {
    timeline.add("12:00:01.000", "n1", "narration", "later");
    timeline.add("12:00:00.500", "n2", "narration", "earlier");
    List<Event> out = timeline.drain();
    assertEquals(List.of("earlier", "later"), out.stream().map(Event::text).toList());
    assertEquals(List.of(2L, 1L), out.stream().map(Event::seq).toList());
    assertEquals(2, timeline.recent().size());
    assertEquals(List.of(), timeline.drain());
  }

  @Test
  @DisplayName("undrained events (polls failing) and the recent ones stay bounded")
  void bounded() {
    for (int i = 0; i < ViewTimeline.RECENT + 50; i++) {
      timeline.add("12:00:00.000", "", "narration", "line " + i);
    }
    List<Event> out = timeline.drain();
    assertEquals(ViewTimeline.RECENT, out.size());
    assertEquals("line " + (ViewTimeline.RECENT + 49), out.get(out.size() - 1).text());
    assertEquals(ViewTimeline.RECENT, timeline.recent().size());
  }
}
