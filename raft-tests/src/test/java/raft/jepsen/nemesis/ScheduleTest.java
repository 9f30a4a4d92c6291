package raft.jepsen.nemesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The nemesis's plan, without processes: seeded, bounded, and cuts that mean what they say. */
class ScheduleTest {
  private static final List<Fault.Kind> ALL = List.of(Fault.Kind.values());

  @Test
  void sameSeedSameScheduleAndEveryFaultIsBounded() {
    Schedule a = Schedule.generate(42, 5, ALL, 60_000);
    assertEquals(a, Schedule.generate(42, 5, ALL, 60_000));
    long total = 0;
    for (Schedule.Step s : a.steps()) {
      assertTrue(s.holdMillis() >= 1000 && s.holdMillis() <= 4000, "hold " + s);
      assertTrue(s.quietMillis() >= 1000 && s.quietMillis() < 3000, "quiet " + s);
      assertTrue(s.faults().stream().filter(f -> f.kind().isPartition()).count() <= 1,
          "one cut set at a time: " + s);
      if (s.faults().stream().anyMatch(f -> f.kind() == Fault.Kind.PAUSE)) {
        assertTrue(s.holdMillis() > 1000, "a pause outlasts the election timeout: " + s);
      }
      total += s.quietMillis() + s.holdMillis();
    }
    assertTrue(total >= 60_000, "the schedule covers the run");
    assertTrue(a.steps().stream().anyMatch(s -> s.faults().size() == 2), "faults overlap");
  }

  /** Seed 34 once drew no membership change at all, and JepsenMemberProperties failed. */
  @Test
  void withTheMemberNemesisEveryScheduleStartsWithAMembershipChange() {
    List<Fault.Kind> kinds = List.of(Fault.Kind.MEMBER, Fault.Kind.MEMBER, Fault.Kind.KILL,
        Fault.Kind.ISOLATE, Fault.Kind.SPLIT);
    for (long seed = 1; seed <= 2000; seed++) {
      List<Fault> first = Schedule.generate(seed, 5, kinds, 30_000).steps().get(0).faults();
      assertEquals(1, first.size(), "seed " + seed + ": held alone");
      assertEquals(Fault.Kind.MEMBER, first.get(0).kind(), "seed " + seed);
    }
    assertTrue(Schedule.generate(34, 3, List.of(Fault.Kind.KILL), 30_000).steps().stream()
        .allMatch(s -> s.faults().stream().allMatch(f -> f.kind() == Fault.Kind.KILL)),
        "no membership change where the nemesis has none");
  }

  @Test
  void aBridgeMemberSeesBothHalvesThatCannotSeeEachOther() {
    Map<Integer, Set<Integer>> cuts = Nemesis.cuts(new Fault(Fault.Kind.BRIDGE, false, 3,
        Set.of(3)), 3, 5);
    assertEquals(Set.of(), cuts.get(3));
    assertEquals(Map.of(1, Set.of(4, 5), 2, Set.of(4, 5), 3, Set.of(), 4, Set.of(1, 2),
        5, Set.of(1, 2)), cuts);
  }

  @Test
  void isolatingAMemberCutsItBothWays() {
    Map<Integer, Set<Integer>> cuts = Nemesis.cuts(new Fault(Fault.Kind.ISOLATE, true, 1,
        Set.of(1)), 2, 3);
    assertEquals(Map.of(2, Set.of(1, 3), 1, Set.of(2), 3, Set.of(2)), cuts);
  }
}
