package raft.sim.replay;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The timeline kind of a line the simulator prints with --trace (its words, matched here, so
 * that the simulator prints exactly what it printed before the replay existed).
 */
public final class EventKinds {
  private record Rule(String contains, String kind) {}

  // First match wins: "crashed (it was the leader)" is a kill, not a leader.
  private static final List<Rule> RULES = List.of(
      new Rule("became leader", "leader"),
      new Rule("became candidate", "election"),
      new Rule("became pre-candidate", "election"),
      new Rule(" crashed", "kill"),
      new Rule("restarted from disk", "restart"),
      new Rule("partition healed", "heal"),
      new Rule("network calm again", "heal"),
      new Rule("healed:", "heal"),
      new Rule("partition:", "partition"),
      new Rule("network:", "partition"),
      new Rule("installed snapshot", "snapshot"),
      new Rule("members:", "member"),
      new Rule("started with an empty log", "member"),
      new Rule("stopped for good", "member"));

  private static final Pattern MEMBER = Pattern.compile("^(n\\d+)\\b");

  private EventKinds() {}

  /** The kind of a trace line (without its time stamp); "narration" for the others. */
  public static String kindOf(String line) {
    for (Rule r : RULES) {
      if (line.contains(r.contains)) {
        return r.kind;
      }
    }
    return "narration";
  }

  /** The member a line is about: the name it starts with ("n3 crashed"), or "". */
  public static String memberOf(String line) {
    Matcher m = MEMBER.matcher(line);
    return m.find() ? m.group(1) : "";
  }
}
