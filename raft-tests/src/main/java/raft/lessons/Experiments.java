package raft.lessons;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Function;
import raft.core.Config;
import raft.core.Raft;
import raft.core.StateRole;
import raft.sim.Property;
import raft.sim.SimConfig;
import raft.sim.SimResult;
import raft.sim.Simulator;

/**
 * Experiments on the real protocol in the simulator, for the lesson "why odd member counts":
 * crash some members and see whether the rest can still commit; split the cluster in two and see
 * which side can; measure what a larger cluster costs. Every run checks the safety properties
 * too, so "no progress" is always "no progress, safely".
 */
public final class Experiments {
  /** Election timeout in ticks (the simulator's default, like etcd's 1000 ms / 100 ms). */
  public static final int ELECTION_TICKS = 10;
  /** How long survivors get to elect a leader and commit: 20 election timeouts. */
  public static final int BOUND_TICKS = 20 * ELECTION_TICKS;

  private Experiments() {}

  /** What happened after the crash or split. */
  public record Outcome(boolean committed, long ticksToCommit, SimResult result) {}

  /** A cluster with no client load, no faults and no snapshots: experiments script it. */
  public static SimConfig quietCluster(int n, long seed) {
    SimConfig c = new SimConfig();
    c.nodes = n;
    c.seed = seed;
    c.ticks = 100_000; // an upper bound; experiments stop much earlier
    c.healedTail = 0;
    c.proposalsPerTick = 0;
    c.readsPerTick = 0;
    c.snapshotEvery = 0;
    c.checks = Set.of(Property.ALL);
    c.scriptedBy = "raft.lessons.Experiments";
    return c;
  }

  /** Runs until a leader has committed an entry of its term (the §8 no-op). */
  public static boolean settle(Simulator sim, int n) {
    return sim.runUntil(() -> leader(sim, n) != 0, sim.nowTicks() + 100);
  }

  /** The node that leads and has committed in its own term, or 0. */
  public static int leader(Simulator sim, int n) {
    for (int i = 1; i <= n; i++) {
      Raft r = sim.raft(i);
      if (r != null && r.role() == StateRole.LEADER
          && r.log().term(r.log().commitIndex()) == r.term()) {
        return i;
      }
    }
    return 0;
  }

  /**
   * Starts n members, lets them elect a leader, waits {@code delayTicks}, crashes
   * {@code crashed} (ids 1..n; with {@code leaderToo}, the current leader replaces the first of
   * them, so "any members, the leader included"), then offers a probe to every survivor each
   * tick and reports whether one committed within {@link #BOUND_TICKS}.
   */
  public static Outcome crashAndProbe(int n, Set<Integer> crashed, boolean leaderToo,
      long seed, int delayTicks) {
    return crashAndProbe(n, crashed, leaderToo, seed, delayTicks, Raft::new);
  }

  /** The same, with each member's protocol built by {@code raft} (tests pass broken ones). */
  public static Outcome crashAndProbe(int n, Set<Integer> crashed, boolean leaderToo,
      long seed, int delayTicks, Function<Config, Raft> raft) {
    SimConfig c = quietCluster(n, seed);
    c.raftFactory = raft;
    Simulator sim = new Simulator(c, null);
    sim.start();
    settle(sim, n);
    sim.runUntil(() -> false, sim.nowTicks() + delayTicks);
    TreeSet<Integer> down = new TreeSet<>(crashed);
    int leader = leader(sim, n);
    if (leaderToo && leader != 0 && !down.contains(leader) && !down.isEmpty()) {
      down.remove(down.first());
      down.add(leader);
    }
    down.forEach(sim::crashNode);
    List<Integer> up = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      if (!down.contains(i)) {
        up.add(i);
      }
    }
    return probe(sim, up, "probe:", BOUND_TICKS);
  }

  /** Offers a probe to each of {@code nodes} every tick, until one commits or time runs out. */
  public static Outcome probe(Simulator sim, List<Integer> nodes, String prefix,
      int boundTicks) {
    long start = sim.now();
    long end = sim.nowTicks() + boundTicks;
    int k = 0;
    while (sim.nowTicks() < end && sim.result().safe()) {
      for (int i : nodes) {
        if (sim.raft(i) != null) {
          sim.proposeAt(i, prefix + (k++));
        }
      }
      if (sim.runUntil(() -> sim.firstAppliedTime(prefix) >= 0, sim.nowTicks() + 1)) {
        break;
      }
    }
    long t = sim.firstAppliedTime(prefix);
    return new Outcome(t >= 0, t < 0 ? -1 : (t - start) / Simulator.TICK, sim.result());
  }

  /**
   * What a two-way split did to each side. {@code lateProbeCommitted}: a proposal offered to a
   * side without a majority after that side's leader (if it had the old one) stepped down was
   * committed, during the split or after healing; Raft must never let that happen. (Entries the
   * old leader accepted before it stepped down may legitimately commit after healing, if it
   * wins again: they were never acknowledged to anyone.)
   */
  public record Split(boolean sideACommitted, boolean sideBCommitted, boolean oldLeaderInA,
      boolean oldLeaderSteppedDown, boolean lateProbeCommitted, SimResult result) {}

  /**
   * Starts n members, elects a leader, cuts {@code sideA} off from the rest (both ways), and
   * offers probes on both sides every tick for {@link #BOUND_TICKS}. Then heals, lets the
   * cluster settle, and checks that nothing a side without a majority accepted after losing
   * its leader ever commits.
   */
  public static Split split(int n, Set<Integer> sideA, long seed) {
    Simulator sim = new Simulator(quietCluster(n, seed), null);
    sim.start();
    settle(sim, n);
    int oldLeader = leader(sim, n);
    List<Integer> a = new ArrayList<>(new TreeSet<>(sideA));
    List<Integer> b = cutApart(sim, n, sideA);
    long end = sim.nowTicks() + BOUND_TICKS;
    int k = 0;
    while (sim.nowTicks() < end && sim.result().safe()) {
      offer(sim, a, "A", 2 * a.size() <= n && !leads(sim, oldLeader), k);
      offer(sim, b, "B", 2 * b.size() <= n && !leads(sim, oldLeader), k);
      k++;
      sim.runUntil(() -> false, sim.nowTicks() + 1);
    }
    boolean aCommitted = sim.firstAppliedTime("probe:A:") >= 0;
    boolean bCommitted = sim.firstAppliedTime("probe:B:") >= 0;
    boolean steppedDown = !leads(sim, oldLeader);
    sim.healNetwork();
    sim.runUntil(() -> false, sim.nowTicks() + BOUND_TICKS);
    return new Split(aCommitted, bCommitted, sideA.contains(oldLeader), steppedDown,
        sim.firstAppliedTime("probe:late:") >= 0, sim.result());
  }

  /** Cuts sideA off from the other members, both ways; returns the other side, in order. */
  public static List<Integer> cutApart(Simulator sim, int n, Set<Integer> sideA) {
    List<Integer> b = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      if (!sideA.contains(i)) {
        b.add(i);
      }
    }
    for (int x : sideA) {
      for (int y : b) {
        sim.cut(x, y);
        sim.cut(y, x);
      }
    }
    return b;
  }

  /** Offers a probe to each node of a side; "late" ones go to a side that has lost its leader. */
  private static void offer(Simulator sim, List<Integer> side, String name, boolean late, int k) {
    for (int i : side) {
      sim.proposeAt(i, (late ? "probe:late:" : "probe:" + name + ":") + name + k);
    }
  }

  private static boolean leads(Simulator sim, int i) {
    Raft r = sim.raft(i);
    return r != null && r.role() == StateRole.LEADER;
  }

  /** The quorum of n voters: floor(n/2) + 1. */
  public static int quorum(int n) {
    return n / 2 + 1;
  }

  /**
   * Tolerance by search, not by formula: the largest k such that the survivors commit after
   * every crash set of size k (each tried with and without the leader among the crashed, at a
   * seeded moment), and after no larger size is that true for every set.
   */
  public static int measuredTolerance(int n, long seed) {
    int tolerated = -1;
    for (int k = 0; k <= n; k++) {
      if (!allSetsOfSizeCommit(n, k, seed)) {
        break;
      }
      tolerated = k;
    }
    return tolerated;
  }

  private static boolean allSetsOfSizeCommit(int n, int k, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed * 131 + n * 17L + k);
    for (Set<Integer> set : subsets(n, k)) {
      for (boolean leaderToo : new boolean[] {false, true}) {
        Outcome o = crashAndProbe(n, set, leaderToo, rnd.nextLong(), rnd.nextInt(30));
        if (!o.committed()) {
          return false;
        }
      }
    }
    return true;
  }

  /** Every subset of {1..n} with k members, in a fixed order. */
  public static List<Set<Integer>> subsets(int n, int k) {
    List<Set<Integer>> out = new ArrayList<>();
    for (int mask = 0; mask < (1 << n); mask++) {
      if (Integer.bitCount(mask) == k) {
        out.add(members(mask, n));
      }
    }
    return out;
  }

  static Set<Integer> members(int mask, int n) {
    TreeSet<Integer> s = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      if ((mask & (1 << i)) != 0) {
        s.add(i + 1);
      }
    }
    return s;
  }
}
