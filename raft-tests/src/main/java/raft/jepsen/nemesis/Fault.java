package raft.jepsen.nemesis;

import java.util.List;
import java.util.Set;

/**
 * A planned fault. Targets are drawn from the seed when the schedule is made; {@code onLeader}
 * faults aim at whoever leads when the fault starts (so they are resolved at run time, and fall
 * back to {@code member} when no leader answers).
 *
 * @param member the member killed or paused (1-based), or the isolated/bridge member
 * @param minority for a majority/minority split, the members on the minority side
 */
public record Fault(Kind kind, boolean onLeader, int member, Set<Integer> minority) {

  /**
   * MEMBER changes the configuration: remove a member and add it back as a new one with an
   * empty data dir, or grow/shrink the cluster between 3 and 5 ({@link MemberChange}).
   */
  public enum Kind {
    KILL, PAUSE, ISOLATE, SPLIT, BRIDGE, MEMBER;

    boolean isPartition() {
      return this == ISOLATE || this == SPLIT || this == BRIDGE;
    }
  }

  /** The nemesis names on the command line ({@code kill,pause,partition}) as fault kinds. */
  public static List<Kind> kindsFor(String nemesisName) {
    return switch (nemesisName.trim()) {
      case "kill" -> List.of(Kind.KILL);
      case "pause" -> List.of(Kind.PAUSE);
      case "partition" -> List.of(Kind.ISOLATE, Kind.SPLIT, Kind.BRIDGE);
      case "member" -> List.of(Kind.MEMBER);
      case "none", "" -> List.of();
      default -> throw new IllegalArgumentException("unknown nemesis '" + nemesisName
          + "' (kill, pause, partition, member, none)");
    };
  }
}
