package raft.jepsen.nemesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The member nemesis's choices, without processes: between 3 and 5 members, always. */
class MemberChangeTest {
  private static Fault member(int k, boolean onLeader) {
    return new Fault(Fault.Kind.MEMBER, onLeader, k, Set.of(k));
  }

  @Test
  void threeMembersNeverShrinkFiveNeverGrow() {
    for (int k = 1; k <= 5; k++) {
      MemberChange at3 = MemberChange.plan(member(k, false), 0, Set.of(1, 2, 3), 5);
      assertTrue(at3.kind() != MemberChange.Kind.SHRINK, at3.toString());
      if (at3.kind() == MemberChange.Kind.GROW) {
        assertTrue(Set.of(4, 5).contains(at3.node()), "grows with a node that is no member");
      } else {
        assertTrue(Set.of(1, 2, 3).contains(at3.node()), "replaces a member");
      }
      MemberChange at5 = MemberChange.plan(member(k, false), 0, Set.of(1, 2, 3, 4, 5), 5);
      assertTrue(at5.kind() != MemberChange.Kind.GROW, at5.toString());
    }
  }

  @Test
  void aLeaderAimedChangeTakesTheLeader() {
    MemberChange c = MemberChange.plan(member(3, true), 2, Set.of(1, 2, 3, 4), 5);
    if (c.kind() != MemberChange.Kind.GROW) {
      assertEquals(2, c.node());
    }
    assertEquals(new MemberChange(MemberChange.Kind.REPLACE, 2),
        MemberChange.plan(member(3, true), 2, Set.of(1, 2, 3), 3), "no room: replace");
  }

  /** A seeded schedule's member faults, played on a model membership, stay within 3..5. */
  @Test
  void aScheduleOfMemberFaultsStaysBetweenThreeAndFive() {
    Schedule s = Schedule.generate(7, 5, List.of(Fault.Kind.MEMBER, Fault.Kind.KILL), 600_000);
    Set<Integer> members = new TreeSet<>(Set.of(1, 2, 3));
    int changes = 0;
    for (Schedule.Step step : s.steps()) {
      if (step.faults().stream().anyMatch(f -> f.kind() == Fault.Kind.MEMBER)) {
        assertEquals(1, step.faults().size(), "a membership change is held alone: " + step);
        MemberChange c = MemberChange.plan(step.faults().get(0), 1, members, 5);
        switch (c.kind()) {
          case GROW -> assertTrue(members.add(c.node()));
          case SHRINK -> assertTrue(members.remove(c.node()));
          case REPLACE -> assertTrue(members.contains(c.node()));
        }
        changes++;
        assertTrue(members.size() >= 3 && members.size() <= 5, members.toString());
      }
    }
    assertTrue(changes > 10, "the schedule changes the membership often: " + changes);
  }

  @Test
  void cutsLeaveOutNodesThatAreNoMembers() {
    Map<Integer, Set<Integer>> cuts = Nemesis.cuts(new Fault(Fault.Kind.SPLIT, false, 2,
        Set.of(2, 4)), 2, Set.of(1, 2, 3));
    assertEquals(Map.of(2, Set.of(1, 3), 1, Set.of(2), 3, Set.of(2)), cuts);
  }
}
