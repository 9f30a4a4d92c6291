package raft.jepsen.nemesis;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a {@link Fault.Kind#MEMBER} fault does, decided when it starts from the membership of
 * the moment (the schedule is made before the run, the membership changes during it):
 * REPLACE removes a member (the leader, if the fault aims at it) and, when the fault heals, adds
 * it back as a new member with an empty data dir; GROW adds a node that is not a member (at
 * most {@link #MAX} members); SHRINK removes one (at least {@link #MIN}). Pure.
 *
 * @param node the node removed, replaced or added
 */
public record MemberChange(Kind kind, int node) {
  public static final int MIN = 3;
  public static final int MAX = 5;

  public enum Kind { REPLACE, GROW, SHRINK }

  /**
   * The change for {@code f}: among the kinds the membership allows (REPLACE always, GROW below
   * MAX with a free node, SHRINK above MIN), the fault's member number picks one, and then its
   * node: the leader for REPLACE/SHRINK when the fault aims at it and one answers.
   */
  public static MemberChange plan(Fault f, int leader, Set<Integer> members, int capacity) {
    List<Integer> in = new ArrayList<>(new TreeSet<>(members));
    List<Integer> out = new ArrayList<>();
    for (int k = 1; k <= capacity; k++) {
      if (!members.contains(k)) {
        out.add(k);
      }
    }
    List<Kind> allowed = new ArrayList<>(List.of(Kind.REPLACE));
    if (in.size() < MAX && !out.isEmpty()) {
      allowed.add(Kind.GROW);
    }
    if (in.size() > MIN) {
      allowed.add(Kind.SHRINK);
    }
    Kind kind = allowed.get(f.member() % allowed.size());
    if (kind == Kind.GROW) {
      return new MemberChange(kind, out.get(f.member() % out.size()));
    }
    int node = f.onLeader() && in.contains(leader) ? leader : in.get(f.member() % in.size());
    return new MemberChange(kind, node);
  }

  /** What the nemesis log and the report say, e.g. "replace n2 (leader) with a new member". */
  public String describe(boolean isLeader) {
    String who = "n" + node + (isLeader ? " (leader)" : "");
    return switch (kind) {
      case REPLACE -> "replace " + who + " with a new member (remove, wipe, add back)";
      case GROW -> "grow: add " + who + " (learner, caught up, promoted)";
      case SHRINK -> "shrink: remove " + who;
    };
  }
}
