package raft.jepsen.nemesis;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A seeded fault schedule: quiet, then one or two faults held together for a while, then healed;
 * repeated for the length of the run. Same seed, same schedule (leader-aimed faults pick their
 * victim when they start).
 *
 * @param steps in order; each starts {@code quietMillis} after the previous one healed
 */
public record Schedule(List<Step> steps) {

  /**
   * @param quietMillis time with no fault before this step
   * @param holdMillis how long the faults stay in place: 1 to 4 s, pauses longer than the
   *     election timeout (1 s) so that the paused member's peers notice
   */
  public record Step(long quietMillis, long holdMillis, List<Fault> faults) {}

  public static Schedule none() {
    return new Schedule(List.of());
  }

  /** Enough steps to cover {@code runMillis} on a cluster of {@code nodes}. */
  public static Schedule generate(long seed, int nodes, List<Fault.Kind> kinds, long runMillis) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Step> steps = new ArrayList<>();
    if (kinds.isEmpty()) {
      return none();
    }
    for (long t = 0; t < runMillis; ) {
      long quiet = 1000 + rnd.nextLong(2000);
      long hold = 1000 + rnd.nextLong(3001);
      List<Fault> faults = new ArrayList<>();
      int count = rnd.nextInt(10) < 3 ? 2 : 1; // several faults at once, sometimes
      Set<Integer> used = new HashSet<>();
      for (int i = 0; i < count; i++) {
        Fault f = fault(rnd, nodes, kinds, used, faults);
        if (f != null) {
          faults.add(f);
        }
      }
      Fault change = faults.stream().filter(f -> f.kind() == Fault.Kind.MEMBER).findFirst()
          .orElse(null);
      if (change == null && steps.isEmpty() && kinds.contains(Fault.Kind.MEMBER)) {
        // The member nemesis changes the membership first, so that every run has one change
        // at least: a seed's own draws may have none, or only late ones that a run slowed by
        // its faults never reaches.
        int member = 1 + rnd.nextInt(nodes);
        change = new Fault(Fault.Kind.MEMBER, rnd.nextBoolean(), member,
            minority(rnd, nodes, member));
      }
      if (change != null) {
        // A membership change is held alone: it may take seconds (a learner catching up),
        // and a crash of another member in the middle would only make it wait for quorum.
        faults.clear();
        faults.add(change);
        hold = Math.max(hold, 2000);
      }
      if (faults.stream().anyMatch(f -> f.kind() == Fault.Kind.PAUSE)) {
        hold = Math.max(hold, 1500);
      }
      steps.add(new Step(quiet, hold, List.copyOf(faults)));
      t += quiet + hold;
    }
    return new Schedule(List.copyOf(steps));
  }

  /** One fault that does not clash with those already in the step (distinct victims, one cut). */
  private static Fault fault(SplittableRandom rnd, int nodes, List<Fault.Kind> kinds,
      Set<Integer> used, List<Fault> already) {
    boolean cutTaken = already.stream().anyMatch(f -> f.kind().isPartition());
    boolean leaderTaken = already.stream().anyMatch(Fault::onLeader);
    for (int attempt = 0; attempt < 10; attempt++) {
      Fault.Kind kind = kinds.get(rnd.nextInt(kinds.size()));
      int member = 1 + rnd.nextInt(nodes);
      boolean onLeader = !leaderTaken && kind != Fault.Kind.SPLIT && rnd.nextBoolean();
      if ((kind.isPartition() && cutTaken) || used.contains(member)) {
        continue;
      }
      used.add(member);
      return new Fault(kind, onLeader, member, minority(rnd, nodes, member));
    }
    return null;
  }

  /** A random minority (at most (n-1)/2 members) that includes {@code member}. */
  private static Set<Integer> minority(SplittableRandom rnd, int nodes, int member) {
    Set<Integer> side = new HashSet<>(Set.of(member));
    int size = 1 + rnd.nextInt(Math.max(1, (nodes - 1) / 2));
    while (side.size() < size) {
      side.add(1 + rnd.nextInt(nodes));
    }
    return Set.copyOf(side);
  }
}
