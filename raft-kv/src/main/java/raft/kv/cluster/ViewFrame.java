package raft.kv.cluster;

import java.util.List;

/**
 * One update of the cluster view, as the page's RaftView.render takes it (issue 15's frame
 * schema; Gson writes the records' fields by name). The live view sends one per poll; the
 * simulator's replay ({@code scripts/simulate --html}) records the same frames, so that a
 * simulated run and the real cluster look alike.
 */
public record ViewFrame(String clock, List<Member> members, List<Message> messages,
    List<Event> events) {

  /**
   * A member as its card shows it. A member that does not answer (down, paused, stopped) keeps
   * the numbers it last reported, with no role: it leads no one while it cannot speak.
   */
  public record Member(String name, String id, String state, String role, boolean voter, long term,
      String vote, String leader, long commit, long applied, long lastIndex, List<Entry> log,
      List<String> cut, String failure) {

    public Member withState(String newState, String newFailure) {
      return new Member(name, id, newState, "", voter, term, vote, leader, commit, applied,
          lastIndex, log, cut, newFailure);
    }
  }

  public record Entry(long index, long term) {}

  /** Messages of one kind sent from one member to another since the previous frame. */
  public record Message(String from, String to, String type, long count) {}

  /** A timeline entry; seq orders them and lets a page skip those it has shown. */
  public record Event(long seq, String clock, String member, String kind, String text) {}
}
