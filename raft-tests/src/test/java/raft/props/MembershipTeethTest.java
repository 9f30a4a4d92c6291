package raft.props;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import raft.core.Config;
import raft.core.Raft;
import raft.core.StateRole;
import raft.lessons.Experiments;
import raft.pb.ConfChangeSingle;
import raft.pb.ConfChangeType;
import raft.pb.ConfChangeV2;
import raft.sim.Property;
import raft.sim.SimConfig;
import raft.sim.SimConfig.Fault;
import raft.sim.SimResult;
import raft.sim.Simulator;

/**
 * The membership rules' teeth: a protocol with one rule of thesis chapter 4 broken on purpose
 * must be caught by a property, and the test prints the seed.
 * <ul>
 *   <li>a joining member counted at once (§4.2.1) is found by random schedules with
 *       {@code --faults members}, by CommittedOnQuorum;</li>
 *   <li>two changes in flight (§4.1, one at a time) and a new leader that changes the
 *       membership before committing an entry of its term (the single-server change bug of
 *       raft-dev, 2015) need disjoint majorities to act at the right moments, too rare for
 *       random schedules: {@link #twoInFlight} and {@link #script} steer the simulator there,
 *       as {@link Figure8Test} does for Figure 8.</li>
 * </ul>
 */
class MembershipTeethTest {

  /**
   * Searches seeds (3 and 5 founding voters alternately, membership changes among every other
   * fault) until the variant violates one of {@code properties}; null if none did.
   */
  static SimResult findCounterexample(BrokenRaft variant, int maxSeeds, String... properties) {
    for (long seed = 1; seed <= maxSeeds; seed++) {
      SimConfig c = MembershipProperties.schedule(seed % 2 == 0 ? 5 : 3, seed,
          EnumSet.of(Fault.CRASH, Fault.PARTITION, Fault.DROP), 0);
      c.checks = Set.of(properties);
      c.raftFactory = variant.factory;
      SimResult r = Sims.run(c);
      if (!r.safe() && c.checks.contains(r.violatedProperty())) {
        System.out.println(variant + " caught by " + r.violatedProperty() + " at seed " + seed
            + " (replay with this variant):\n" + r.report());
        return r;
      }
    }
    return null;
  }

  @Test
  @DisplayName("thesis §4.2.1: counting a joining member's empty log at once is caught by"
      + " CommittedOnQuorum")
  void joinedCountedAtOnceIsCaught() {
    assertNotNull(findCounterexample(BrokenRaft.JOINED_COUNTED_AT_ONCE, 100,
        Property.COMMITTED_ON_QUORUM), "not caught in 100 seeds");
  }

  // ---- thesis §4.1: two changes in flight ----

  /**
   * Two promotions in flight on founding voters {1,2,3} with caught-up learners D and E:
   * <ol>
   *   <li>leader L, D and E are cut off from the two other founders, B and C;</li>
   *   <li>L promotes D, then E at once: C1 = {1,2,3,D}, then C2 = {1,2,3,D,E}, in force on L
   *       as soon as appended (§4.1). A broken L takes both; the real one refuses the second
   *       while the first is not applied;</li>
   *   <li>with C2, L, D and E are a majority: L commits C1 and C2. B and C still have the
   *       founding configuration, of which they are a majority: they elect one of them and
   *       commit its no-op at the same index. C2's majority {L, D, E} and the founding one's
   *       {B, C} are disjoint.</li>
   * </ol>
   * With the real rule L has only C1 = {1,2,3,D}, in which L and D are no majority: nothing
   * commits on that side, and B and C's leader is legal.
   */
  static Outcome twoInFlight(Function<Config, Raft> factory, long seed) {
    SimConfig c = Experiments.quietCluster(3, seed);
    c.bootstrapLog = true;
    c.raftFactory = factory;
    c.scriptedBy = "MembershipTeethTest.twoInFlight";
    Simulator sim = new Simulator(c, Boolean.getBoolean("members2015.trace")
        ? System.out::println : null);
    sim.start();
    if (!Experiments.settle(sim, 3)) {
      return new Outcome(sim, false, false);
    }
    int l = Experiments.leader(sim, 3);
    int d = addCaughtUpLearner(sim, l);
    int e = addCaughtUpLearner(sim, l);
    if (d == 0 || e == 0) {
      return new Outcome(sim, false, false);
    }
    int b = l % 3 + 1;
    int cc = 6 - l - b;
    isolate(sim, new int[] {l, d, e}, new int[] {b, cc});
    boolean first = sim.proposeConfChange(l, change(ConfChangeType.CONF_CHANGE_ADD_NODE, d));
    boolean second = sim.proposeConfChange(l, change(ConfChangeType.CONF_CHANGE_ADD_NODE, e));
    long lTerm = sim.raft(l).term();
    boolean end = sim.runUntil(() -> (leadsAbove(sim, b, lTerm) || leadsAbove(sim, cc, lTerm))
        && sim.raft(b).log().commitIndex() > sim.raft(b).log().firstIndex()
        && sim.raft(b).log().term(sim.raft(b).log().commitIndex()) > lTerm,
        sim.nowTicks() + 400);
    return new Outcome(sim, first && (end || !sim.result().safe()), second);
  }

  /** Adds a fresh learner through leader l and waits until it is applied and caught up. */
  private static int addCaughtUpLearner(Simulator sim, int l) {
    int id = sim.addMember();
    if (!sim.proposeConfChange(l, change(ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE, id))) {
      return 0;
    }
    long at = sim.raft(l).log().lastIndex();
    boolean ok = sim.runUntil(() -> sim.raft(l).log().lastApplied() >= at
        && sim.raft(l).tracker().get(id) != null
        && sim.raft(l).tracker().get(id).matchIndex() >= sim.raft(l).log().commitIndex(),
        sim.nowTicks() + 100);
    return ok ? id : 0;
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  @DisplayName("thesis §4.1: two membership changes in flight are caught (two disjoint"
      + " majorities commit different entries at one index)")
  void twoChangesInFlightAreCaught(long seed) {
    Outcome o = twoInFlight(BrokenRaft.TWO_CHANGES_IN_FLIGHT.factory, seed);
    SimResult r = o.sim().result();
    System.out.println("two changes in flight, seed " + seed + ":\n" + r.report());
    assertTrue(o.changeTaken(), "the broken leader did not take the second change:\n"
        + r.report());
    assertFalse(r.safe(), "two disjoint majorities committed, unnoticed");
    assertTrue(Set.of(Property.LEADER_COMPLETENESS, Property.STATE_MACHINE_SAFETY)
        .contains(r.violatedProperty()), r::report);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  @DisplayName("thesis §4.1: the real rule refuses the second change, and the same script is"
      + " safe")
  void oneChangeAtATimeRefusesTheSecondAndIsSafe(long seed) {
    Outcome o = twoInFlight(Raft::new, seed);
    SimResult r = o.sim().result();
    assertTrue(r.safe(), r::report);
    assertFalse(o.changeTaken(), "the leader took a second change while one was in flight");
    assertTrue(o.reachedEnd(), "the script did not reach its last stage:\n" + r.report());
  }

  // ---- raft-dev, 2015: a change before the new leader's first commit ----

  /** What the script reached, and whether the new leader took the change. */
  record Outcome(Simulator sim, boolean reachedEnd, boolean changeTaken) {}

  /**
   * The counterexample of Diego Ongaro's raft-dev post "bug in single-server membership
   * changes" (2015), on founding voters {1,2,3,4} and a fifth, new member:
   * <ol>
   *   <li>A leads term t; it and new member E are cut off from the others. A adds E as a voter
   *       (C1 = {1..5}, in force on A at once, thesis §4.1); only E gets the entry.</li>
   *   <li>The other three elect N in term t+1 (all three vote: a majority of {1..4}). X, one
   *       of them, voted but gets nothing from N. N, at once, removes X: C2 = {1..4} - X.</li>
   *   <li>N replicates its no-op and C2 to M, the third: N and M are a majority of C2, so both
   *       commit, though the no-op never reached a majority of {1..4}.</li>
   *   <li>A and E reconnect with X, and X hears from them only. A's log (last entry of term
   *       t, one longer) beats X's; with E and X, A has a majority of C1 and leads term t+2
   *       without N's committed entries: C1's majority {A, E, X} and C2's {N, M} are
   *       disjoint.</li>
   * </ol>
   * The real rule refuses N's change until its no-op is committed, which needs X: step 3
   * never happens, and A overwriting N's uncommitted no-op in step 4 is legal.
   */
  static Outcome script(Function<Config, Raft> factory, long seed) {
    SimConfig c = Experiments.quietCluster(4, seed);
    c.bootstrapLog = true;
    c.raftFactory = factory;
    c.scriptedBy = "MembershipTeethTest.script";
    Simulator sim = new Simulator(c, Boolean.getBoolean("members2015.trace")
        ? System.out::println : null);
    sim.start();
    if (!Experiments.settle(sim, 4)) {
      return new Outcome(sim, false, false);
    }
    int a = Experiments.leader(sim, 4);
    int e = sim.addMember();
    int[] others = others(a);
    isolate(sim, new int[] {a, e}, others);
    // 1. C1 = {1..5}: only E gets it.
    sim.proposeConfChange(a, change(ConfChangeType.CONF_CHANGE_ADD_NODE, e));
    long c1 = sim.raft(a).log().lastIndex();
    if (!sim.runUntil(() -> sim.raft(e) != null && sim.raft(e).log().stableLastIndex() >= c1,
        sim.nowTicks() + 100)) {
      return new Outcome(sim, false, false);
    }
    // 2. N wins term t+1 with both other votes; X gets nothing from N after voting.
    int[] roles = new int[2]; // {N, X}
    if (!sim.runUntil(() -> newLeaderAmong(sim, others, roles), sim.nowTicks() + 400)) {
      return new Outcome(sim, false, false);
    }
    int n = roles[0];
    int x = roles[1];
    int m = others[0] + others[1] + others[2] - n - x;
    sim.cut(n, x);
    sim.cut(x, n);
    boolean taken = sim.proposeConfChange(n, change(ConfChangeType.CONF_CHANGE_REMOVE_NODE, x));
    // 3. N and M commit the change (with the broken rule); a few ticks either way, less than
    // an election timeout (N keeps leading).
    long c2 = sim.raft(n).log().lastIndex();
    sim.runUntil(() -> sim.raft(m).log().commitIndex() >= c2, sim.nowTicks() + 5);
    // 4. A and E talk to X only (X to them only); one of them wins a majority of C1.
    sim.healNetwork();
    isolate(sim, new int[] {a, e, x}, new int[] {n, m});
    long nTerm = sim.raft(n).term();
    boolean end = sim.runUntil(() -> leadsAbove(sim, a, nTerm) || leadsAbove(sim, e, nTerm),
        sim.nowTicks() + 400);
    return new Outcome(sim, end || !sim.result().safe(), taken);
  }

  /** A single change, not joint. */
  static ConfChangeV2 change(ConfChangeType t, int id) {
    return ConfChangeV2.newBuilder()
        .addChanges(ConfChangeSingle.newBuilder().setType(t).setNodeId(id)).build();
  }

  private static int[] others(int a) {
    int[] o = new int[3];
    int k = 0;
    for (int i = 1; i <= 4; i++) {
      if (i != a) {
        o[k++] = i;
      }
    }
    return o;
  }

  private static void isolate(Simulator sim, int[] side, int[] rest) {
    for (int s : side) {
      for (int r : rest) {
        sim.cut(s, r);
        sim.cut(r, s);
      }
    }
  }

  /** True once one of {@code three} leads a term above the first and {@code roles} is set. */
  private static boolean newLeaderAmong(Simulator sim, int[] three, int[] roles) {
    for (int n : three) {
      Raft r = sim.raft(n);
      if (r != null && r.role() == StateRole.LEADER) {
        roles[0] = n;
        roles[1] = three[0] == n ? three[1] : three[0]; // X: a voter that will hear nothing
        return true;
      }
    }
    return false;
  }

  private static boolean leadsAbove(Simulator sim, int i, long term) {
    Raft r = sim.raft(i);
    return r != null && r.role() == StateRole.LEADER && r.term() > term;
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  @DisplayName("raft-dev 2015: a new leader changing the membership before its first commit"
      + " is caught (two disjoint majorities lose a committed entry)")
  void changeBeforeOwnTermCommitIsCaught(long seed) {
    Outcome o = script(BrokenRaft.CHANGE_BEFORE_OWN_TERM_COMMIT.factory, seed);
    SimResult r = o.sim().result();
    System.out.println("raft-dev 2015, a change before the new leader's first commit, seed "
        + seed + ":\n" + r.report());
    assertTrue(o.changeTaken(), "the broken leader did not even take the change:\n"
        + r.report());
    assertFalse(r.safe(), "the broken rule lost a committed entry, unnoticed");
    assertTrue(Set.of(Property.LEADER_COMPLETENESS, Property.STATE_MACHINE_SAFETY)
        .contains(r.violatedProperty()), r::report);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  @DisplayName("raft-dev 2015: the real rule refuses the change, and the same script is safe")
  void theFixRefusesTheChangeAndIsSafe(long seed) {
    Outcome o = script(Raft::new, seed);
    SimResult r = o.sim().result();
    assertTrue(r.safe(), r::report);
    assertFalse(o.changeTaken(), "the new leader took a change before its first commit");
    assertTrue(o.reachedEnd(), "the script did not reach its last stage:\n" + r.report());
  }
}
