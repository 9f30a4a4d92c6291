package raft.props;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import raft.core.Config;
import raft.core.Raft;
import raft.core.StateRole;
import raft.lessons.Experiments;
import raft.sim.Property;
import raft.sim.SimConfig;
import raft.sim.SimResult;
import raft.sim.Simulator;

/**
 * Figure 8 of the paper, scripted on the simulator with the safety checker on. Random fault
 * schedules almost never line it up (the §8 no-op a new leader appends hides it), so this test
 * steers three nodes into it:
 * <ol>
 *   <li>A leads term t and appends entries while cut off: only A has index P+1 (term t).</li>
 *   <li>C wins term t+1 with B's vote, appends its no-op at P+1 (term t+1), but B never gets it
 *       (the link C to B is cut just after B votes); then C crashes.</li>
 *   <li>A wins again (term t+2) with B's vote and replicates P+1 (term t) to B, one entry per
 *       append. Now a majority (A, B) holds P+1, but it is from an old term.</li>
 *   <li>A crashes before B has A's no-op. C restarts; its last term t+1 beats B's t, so C wins
 *       and overwrites P+1 on B.</li>
 * </ol>
 * The real protocol never committed P+1 in step 3 (§5.4.2), so step 4 is legal. The broken
 * variant that commits by counting replicas did commit it, and the checker reports the loss.
 */
class Figure8Test {
  /** Runs the script; returns the result and whether every stage was reached. */
  private static Outcome script(Function<Config, Raft> factory, long seed) {
    SimConfig c = Experiments.quietCluster(3, seed); // no load, no faults, every check
    c.maxSizePerMsg = 1; // one entry per append
    c.maxInflightMsgs = 1;
    c.raftFactory = factory;
    c.scriptedBy = "Figure8Test";
    Simulator sim = new Simulator(c, Boolean.getBoolean("figure8.trace") ? System.out::println : null);
    sim.start();
    return new Outcome(sim, run(sim));
  }

  private static boolean run(Simulator sim) {
    // A is the first leader; it commits a prefix everyone has (up to index P).
    if (!sim.runUntil(() -> leader(sim) != 0, 400)) {
      return false;
    }
    final int A = leader(sim);
    sim.proposeAt(A, "committed");
    if (!sim.runUntil(() -> allHave(sim, sim.raft(A).log().lastIndex()), 600)) {
      return false;
    }
    long p = sim.raft(A).log().lastIndex();
    // 1. A, isolated, appends entries nobody else gets.
    sim.isolateNode(A);
    sim.proposeAt(A, "only-on-A");
    // 2. One of the others (C) wins with the other's (B's) vote; B never sees C's entries.
    int[] bc = new int[2];
    if (!sim.runUntil(() -> votedForCandidate(sim, A, bc), 1000)) {
      return false;
    }
    int b = bc[0];
    int cNode = bc[1];
    sim.cut(cNode, b);
    // C's no-op must be on C's disk before C crashes (a crash loses unsynced writes).
    if (!sim.runUntil(() -> isLeader(sim, cNode) && sim.raft(cNode).log().stableLastIndex() > p,
        200)) {
      return false;
    }
    sim.crashNode(cNode);
    // 3. A wins a later term with B's vote and copies P+1 (of A's old term) to B.
    sim.healNetwork();
    if (!sim.runUntil(() -> isLeader(sim, A)
        && sim.raft(A).tracker().get(b).matchIndex() >= p + 1, 1500)) {
      return false;
    }
    // 4. A crashes before B has A's no-op (the append carrying it, already on the wire, is
    // lost); C comes back and wins with B's vote.
    sim.cut(A, b);
    sim.crashNode(A);
    sim.restartNode(cNode);
    return sim.runUntil(() -> isLeader(sim, cNode), 2500) || !sim.result().safe();
  }

  private static boolean isLeader(Simulator sim, int i) {
    return sim.raft(i) != null && sim.raft(i).role() == StateRole.LEADER;
  }

  private static boolean allHave(Simulator sim, long index) {
    for (int i = 1; i <= 3; i++) {
      if (sim.raft(i) == null || sim.raft(i).log().commitIndex() < index) {
        return false;
      }
    }
    return true;
  }

  private static int leader(Simulator sim) {
    for (int i = 1; i <= 3; i++) {
      if (isLeader(sim, i)) {
        return i;
      }
    }
    return 0;
  }

  /** True once one of the nodes other than a is a candidate that the third has voted for. */
  private static boolean votedForCandidate(Simulator sim, int a, int[] bc) {
    for (int cand = 1; cand <= 3; cand++) {
      if (cand == a) {
        continue;
      }
      int voter = 6 - a - cand;
      Raft c = sim.raft(cand);
      Raft v = sim.raft(voter);
      if (c.role() == StateRole.CANDIDATE && v.votedFor() == cand && v.term() == c.term()) {
        bc[0] = voter;
        bc[1] = cand;
        return true;
      }
    }
    return false;
  }

  private record Outcome(Simulator sim, boolean reachedEnd) {}

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void figure8CommittingOldTermEntriesByCountingIsCaught(long seed) {
    Outcome o = script(BrokenRaft.COMMIT_OLD_TERM_BY_COUNTING.factory, seed);
    SimResult r = o.sim().result();
    System.out.println("Figure 8, broken commit rule, seed " + seed + ":\n" + r.report());
    assertFalse(r.safe(), "the broken commit rule lost a committed entry, unnoticed");
    assertTrue(Set.of(Property.LEADER_COMPLETENESS, Property.STATE_MACHINE_SAFETY)
        .contains(r.violatedProperty()), r::report);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void figure8IsSafeWithTheRealCommitRule(long seed) {
    Outcome o = script(Raft::new, seed);
    SimResult r = o.sim().result();
    assertTrue(r.safe(), r::report);
    assertTrue(o.reachedEnd(), "the script did not reach Figure 8's last stage:\n" + r.report());
    // C leads now and has overwritten the old-term entry that A had copied to B.
    Raft cLeader = null;
    for (int i = 1; i <= 3; i++) {
      if (isLeader(o.sim(), i)) {
        cLeader = o.sim().raft(i);
      }
    }
    assertTrue(cLeader != null, "no leader at the end");
    assertEquals(StateRole.LEADER, cLeader.role());
  }
}
