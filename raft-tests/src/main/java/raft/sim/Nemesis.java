package raft.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import raft.sim.SimConfig.Fault;
import raft.sim.Simulator.Kind;

/**
 * Injects faults on a seeded schedule: crashes (often of the leader) with later restarts;
 * two-way splits, one-way cuts, a bridge, an isolated leader; message drops, duplicates and long
 * delays; membership changes ({@link MemberNemesis}). Each fault undoes itself after a while,
 * and all stop at heal time. Victims are drawn from the members that have a process.
 */
final class Nemesis {
  private final Simulator sim;
  private final SimConfig cfg;
  private final SplittableRandom rnd;
  private final Network net;
  private final List<Fault> kinds;
  private final MemberNemesis members;

  Nemesis(Simulator sim, SimConfig cfg, SplittableRandom rnd, Network net) {
    this.sim = sim;
    this.cfg = cfg;
    this.rnd = rnd;
    this.net = net;
    this.kinds = new ArrayList<>(new TreeSet<>(cfg.faults));
    this.members = new MemberNemesis(sim, cfg, rnd);
  }

  void begin(long healTime) {
    if (!kinds.isEmpty() && healTime > 0) {
      sim.schedule(nextGap(), Kind.FAULT, 0);
    }
  }

  private long nextGap() {
    return 1 + rnd.nextInt(2 * cfg.faultEveryTicks * Simulator.TICK);
  }

  private long ticks(int lo, int hi) {
    return (long) (lo + rnd.nextInt(hi - lo + 1)) * Simulator.TICK;
  }

  void fault(boolean beforeHeal) {
    if (!beforeHeal) {
      return;
    }
    sim.stats.faults++;
    switch (kinds.get(rnd.nextInt(kinds.size()))) {
      case CRASH -> crash();
      case PARTITION -> partition();
      case DROP -> degrade();
      case MEMBERS -> members.change();
    }
    sim.schedule(nextGap(), Kind.FAULT, 0);
  }

  private void crash() {
    int leader = sim.leader();
    boolean ofLeader = leader != 0 && rnd.nextInt(10) < 4;
    int victim = ofLeader ? leader : sim.pickProc();
    sim.crash(victim, ofLeader ? " (it was the leader)" : "");
    sim.schedule(ticks(2, 60), Kind.RESTART, victim);
  }

  private void partition() {
    List<Integer> procs = sim.procs();
    int n = procs.size();
    int leader = sim.leader();
    int choice = rnd.nextInt(4);
    if (choice == 0 && leader != 0) {
      net.isolate(java.util.Set.of((long) leader), sim.maxId());
      sim.log("partition: leader n" + leader + " isolated");
    } else if (choice == 1 && n >= 3) {
      bridge(procs);
    } else if (choice == 2) {
      int cuts = 1 + rnd.nextInt(n);
      StringBuilder b = new StringBuilder("partition: one-way cuts");
      for (int k = 0; k < cuts; k++) {
        int from = procs.get(rnd.nextInt(n));
        int to = procs.get(rnd.nextInt(n));
        if (from != to) {
          net.cutOneWay(from, to);
          b.append(" n").append(from).append("-/->n").append(to);
        }
      }
      sim.log(b.toString());
    } else {
      TreeSet<Long> side = new TreeSet<>();
      int size = 1 + rnd.nextInt(Math.max(1, n - 1));
      while (side.size() < size) {
        side.add((long) procs.get(rnd.nextInt(n)));
      }
      net.isolate(side, sim.maxId());
      sim.log("partition: " + names(side) + " | the rest");
    }
    sim.schedule(ticks(5, 80), Kind.HEAL_LINKS, 0);
  }

  /** Two sides that cannot talk, and one node that talks to both (a classic Jepsen shape). */
  private void bridge(List<Integer> procs) {
    long bridge = procs.get(rnd.nextInt(procs.size()));
    TreeSet<Long> left = new TreeSet<>();
    for (long i : procs) {
      if (i != bridge && rnd.nextBoolean()) {
        left.add(i);
      }
    }
    for (long a : left) {
      for (long b : procs) {
        if (b != bridge && !left.contains(b)) {
          net.cutOneWay(a, b);
          net.cutOneWay(b, a);
        }
      }
    }
    sim.log("partition: bridge n" + bridge + " between " + names(left) + " and the rest");
  }

  private void degrade() {
    net.dropRate = rnd.nextInt(50) / 100.0;
    net.dupRate = rnd.nextInt(20) / 100.0;
    net.maxDelay = 10 + rnd.nextInt(3 * Simulator.TICK);
    sim.log("network: drop " + (int) (net.dropRate * 100) + "%, duplicate "
        + (int) (net.dupRate * 100) + "%, delay up to " + net.maxDelay + " units");
    sim.schedule(ticks(5, 80), Kind.CALM, 0);
  }

  /** At heal time, with membership changes: see {@link MemberNemesis#heal}. */
  void healMembers(int downAfterHeal) {
    members.heal(downAfterHeal);
  }

  void healLinks() {
    if (net.partitioned()) {
      net.healLinks();
      sim.log("partition healed");
    }
  }

  void calm() {
    if (net.dropRate > 0 || net.dupRate > 0 || net.maxDelay > 10) {
      net.calm();
      sim.log("network calm again");
    }
  }

  private static String names(TreeSet<Long> ids) {
    StringBuilder b = new StringBuilder("{");
    for (long i : ids) {
      b.append(b.length() > 1 ? "," : "").append('n').append(i);
    }
    return b.append('}').toString();
  }
}
