package raft.kv.cluster;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import raft.kv.cluster.ViewFrame.Event;
import raft.kv.cluster.ViewFrame.Member;

/**
 * The cluster view's timeline: events derived from what changed between two polls (a member
 * down, up, paused; a new leader; a new term; partitions cut or healed; membership), plus
 * those others add (actions from the page, the members' narration lines). Each event gets the
 * next sequence number; the last {@link #RECENT} are kept for pages that connect later.
 */
final class ViewTimeline {
  static final int RECENT = 300;

  private long seq;
  private final Deque<Event> recent = new ArrayDeque<>();
  private final List<Event> pending = new ArrayList<>();
  // what the previous poll saw (poller thread only)
  private String leader = "";
  private long term;
  private TreeSet<String> cutPairs = new TreeSet<>();

  /** Adds an event to the next frame; safe from any thread. */
  synchronized void add(String clock, String member, String kind, String text) {
    Event e = new Event(++seq, clock, member, kind, text);
    pending.add(e);
    if (pending.size() > RECENT) {
      pending.remove(0); // polls failing for a while: no one drains, keep the newest only
    }
    recent.addLast(e);
    if (recent.size() > RECENT) {
      recent.removeFirst();
    }
  }

  /**
   * The events added since the last call, in the order of their clocks: a member's narration
   * carries its own time, which may come before the poll that saw the change it tells of.
   */
  synchronized List<Event> drain() {
    List<Event> out = byClock(pending);
    pending.clear();
    return out;
  }

  /** The last {@link #RECENT} events, oldest first. */
  synchronized List<Event> recent() {
    return byClock(recent);
  }

  private static List<Event> byClock(java.util.Collection<Event> events) {
    List<Event> out = new ArrayList<>(events);
    out.sort(java.util.Comparator.comparing(Event::clock)); // HH:mm:ss.SSS sorts as text
    return out;
  }

  /** Adds the events that the change from {@code before} to {@code now} shows. */
  void compare(Map<String, Member> before, List<Member> now, String clock) {
    for (Member m : now) {
      Member b = before.get(m.name());
      if (b == null) {
        if (!before.isEmpty()) {
          add(clock, m.name(), "member", m.name() + " is in the cluster now (" + m.state()
              + ")");
        }
        continue;
      }
      stateChange(b, m, clock);
      if (b.voter() != m.voter() && m.state().equals("up")) {
        add(clock, m.name(), "member", m.name() + " is a " + (m.voter() ? "voter" : "learner")
            + " now");
      }
    }
    for (String name : before.keySet()) {
      if (now.stream().noneMatch(m -> m.name().equals(name))) {
        add(clock, name, "member", name + " is no longer in the cluster");
      }
    }
    leadership(now, clock);
    partitions(now, clock);
  }

  private void stateChange(Member b, Member m, String clock) {
    if (b.state().equals(m.state())) {
      return;
    }
    String n = m.name();
    switch (m.state()) {
      case "down" -> add(clock, n, "kill", n + " is down (its process ended)");
      case "stopped" -> add(clock, n, "kill", n + " stopped: " + m.failure());
      case "paused" -> add(clock, n, "pause", n + " is paused (SIGSTOP): it answers nothing");
      default -> add(clock, n, b.state().equals("paused") ? "resume" : "restart",
          n + (b.state().equals("paused") ? " resumed" : " is up"));
    }
  }

  /** A new term is an election; a new leader (or none) is a leader change. */
  private void leadership(List<Member> now, String clock) {
    long top = now.stream().filter(m -> m.state().equals("up")).mapToLong(Member::term).max()
        .orElse(term);
    if (top > term && term > 0) {
      Optional<Member> candidate = now.stream().filter(m -> m.term() == top
          && m.vote().equals(m.name())).findFirst();
      add(clock, candidate.map(Member::name).orElse(""), "election", "term " + top + " began"
          + candidate.map(c -> ": " + c.name() + " stood for election").orElse(""));
    }
    term = Math.max(term, top);
    String lead = now.stream().filter(m -> m.state().equals("up") && m.role().equals("leader"))
        .max(java.util.Comparator.comparingLong(Member::term)).map(Member::name).orElse("");
    if (lead.isEmpty() && silent(now, leader)) {
      // Up, but its status call missed the deadline (a slow poll on a busy machine): nothing
      // says it stopped leading, and telling "no leader" now and "became leader" on the next
      // poll would invent a leader change.
      return;
    }
    if (!lead.equals(leader)) {
      if (lead.isEmpty()) {
        add(clock, leader, "leader", "no leader (" + leader + " no longer leads)");
      } else {
        long t = now.stream().filter(m -> m.name().equals(lead)).findFirst().orElseThrow()
            .term();
        add(clock, lead, "leader", lead + " became leader in term " + t);
      }
      leader = lead;
    }
  }

  /** Whether member {@code name} is up but did not answer this poll (it then has no role). */
  private static boolean silent(List<Member> now, String name) {
    return now.stream().anyMatch(m -> m.name().equals(name) && m.state().equals("up")
        && m.role().isEmpty());
  }

  /** Pairs cut off from each other (either side's word is enough). */
  private void partitions(List<Member> now, String clock) {
    TreeSet<String> pairs = new TreeSet<>();
    for (Member m : now) {
      for (String peer : m.cut()) {
        pairs.add(m.name().compareTo(peer) < 0 ? m.name() + "-" + peer : peer + "-" + m.name());
      }
    }
    TreeSet<String> added = new TreeSet<>(pairs);
    added.removeAll(cutPairs);
    TreeSet<String> gone = new TreeSet<>(cutPairs);
    gone.removeAll(pairs);
    if (!added.isEmpty()) {
      add(clock, "", "partition", "cut off from each other: " + String.join(", ", added));
    }
    if (!gone.isEmpty()) {
      add(clock, "", "heal", (pairs.isEmpty() ? "every partition healed: " : "reconnected: ")
          + String.join(", ", gone));
    }
    cutPairs = pairs;
  }
}
