package raft.sim.replay;

import java.util.List;

/**
 * One moment of a simulator run, as the cluster view's RaftView.render draws it (issue 15's
 * frame schema; Gson writes the records' fields by name). The same shape as the live view's
 * frames, so that a replay and the real cluster look alike.
 */
public record Frame(String clock, List<Member> members, List<Message> messages,
    List<Event> events) {

  /** A member's card: its state as the simulator holds it at this moment. */
  public record Member(String name, String id, String state, String role, boolean voter,
      long term, String vote, String leader, long commit, long applied, long lastIndex,
      List<Entry> log, List<String> cut, String failure) {}

  public record Entry(long index, long term) {}

  /** Messages of one kind that the network accepted from one member to another. */
  public record Message(String from, String to, String type, long count) {}

  /** A timeline entry, from a line the simulator prints with --trace. */
  public record Event(long seq, String clock, String member, String kind, String text) {}
}
