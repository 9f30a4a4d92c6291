package raft.jepsen.nemesis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import raft.jepsen.db.Db;

/**
 * Plays a {@link Schedule} against a {@link Db} on its own thread and records every fault
 * window. {@link #stop} cuts the current step short (its faults are healed at once); the harness
 * then heals everything anyway. Partitions are skipped, with a note, when the db has no hook.
 */
public final class Nemesis implements Runnable {
  private final Db db;
  private final Schedule schedule;
  private final long t0;
  private final Consumer<String> log;
  private final List<FaultWindow> windows = new ArrayList<>();
  private final CountDownLatch stopped = new CountDownLatch(1);

  public Nemesis(Db db, Schedule schedule, long t0, Consumer<String> log) {
    this.db = db;
    this.schedule = schedule;
    this.t0 = t0;
    this.log = log;
  }

  /** Asks the schedule to end; the step in progress heals its faults before run() returns. */
  public void stop() {
    stopped.countDown();
  }

  /** The windows so far (complete once run() has returned). */
  public synchronized List<FaultWindow> windows() {
    return List.copyOf(windows);
  }

  @Override
  public void run() {
    try {
      for (Schedule.Step step : schedule.steps()) {
        if (stopped.await(step.quietMillis(), TimeUnit.MILLISECONDS)) {
          return;
        }
        List<Active> active = new ArrayList<>();
        Set<Integer> victims = new HashSet<>();
        for (Fault f : step.faults()) {
          Active a = begin(f, victims);
          if (a != null) {
            active.add(a);
          }
        }
        stopped.await(step.holdMillis(), TimeUnit.MILLISECONDS);
        for (Active a : active) {
          end(a);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private record Active(Fault fault, int target, String description, long startNanos,
      Map<Integer, Set<Integer>> cuts, MemberChange change) {}

  private Active begin(Fault f, Set<Integer> victims) {
    if (f.kind().isPartition() && !db.supportsPartitions()) {
      log.accept("nemesis: skipping " + f.kind() + " (this db has no partition hook)");
      return null;
    }
    if (f.kind() == Fault.Kind.MEMBER && !db.supportsMembership()) {
      log.accept("nemesis: skipping MEMBER (this db cannot change its membership)");
      return null;
    }
    Set<Integer> members = db.members();
    int leader = f.onLeader() ? db.leader() : 0;
    MemberChange change = f.kind() == Fault.Kind.MEMBER
        ? MemberChange.plan(f, leader, members, db.nodes()) : null;
    int target = change != null ? change.node() : leader != 0 ? leader : f.member();
    if (change == null && !members.contains(target)) {
      log.accept("nemesis: skipping " + f.kind() + " of n" + target + " (not a member now)");
      return null;
    }
    if (!f.kind().isPartition() && !victims.add(target)) {
      return null; // the leader is already this step's victim
    }
    String who = "n" + target + (leader == target ? " (leader)" : "");
    Map<Integer, Set<Integer>> cuts = cuts(f, target, members);
    String what = switch (f.kind()) {
      case KILL -> "kill -9 " + who;
      case PAUSE -> "pause (SIGSTOP) " + who;
      case ISOLATE -> "isolate " + who;
      case SPLIT -> "partition " + minoritySide(cuts, f) + " | rest";
      case BRIDGE -> "bridge via " + who;
      case MEMBER -> change.describe(leader == target);
    };
    long start = System.nanoTime();
    try {
      switch (f.kind()) {
        case KILL -> db.kill(target);
        case PAUSE -> db.pause(target);
        case MEMBER -> {
          if (change.kind() == MemberChange.Kind.GROW) {
            db.addMember(target);
          } else {
            db.removeMember(target);
          }
        }
        default -> db.cut(cuts);
      }
    } catch (Exception e) {
      log.accept("nemesis: " + what + " failed: " + e.getMessage());
      return null;
    }
    log.accept(String.format("nemesis: +%.1fs %s", (start - t0) / 1e9, what));
    return new Active(f, target, what, start, cuts, change);
  }

  private static String minoritySide(Map<Integer, Set<Integer>> cuts, Fault f) {
    return f.minority().stream().sorted().map(k -> "n" + k).reduce((a, b) -> a + "," + b)
        .orElse("");
  }

  private void end(Active a) {
    try {
      switch (a.fault().kind()) {
        case KILL -> db.restart(a.target());
        case PAUSE -> db.resume(a.target());
        case MEMBER -> {
          if (a.change().kind() == MemberChange.Kind.REPLACE) {
            db.addMember(a.target()); // back, as a new member with an empty data dir
          }
        }
        default -> {
          Map<Integer, Set<Integer>> clear = new HashMap<>();
          a.cuts().keySet().forEach(k -> clear.put(k, Set.of()));
          db.cut(clear);
        }
      }
    } catch (Exception e) {
      log.accept("nemesis: healing '" + a.description() + "' failed (the final heal retries): "
          + e.getMessage());
    }
    long end = System.nanoTime();
    log.accept(String.format("nemesis: +%.1fs healed %s", (end - t0) / 1e9, a.description()));
    synchronized (this) {
      windows.add(new FaultWindow(a.startNanos(), end, a.description()));
    }
  }

  /** Per-member cut sets for a partition fault among members 1..n. */
  static Map<Integer, Set<Integer>> cuts(Fault f, int target, int n) {
    Set<Integer> all = new LinkedHashSet<>();
    for (int k = 1; k <= n; k++) {
      all.add(k);
    }
    return cuts(f, target, all);
  }

  /**
   * Per-member cut sets for a partition fault among the members now; both sides of every cut
   * are named. A minority drawn when the schedule was made may name a node that is no member
   * now: it is left out.
   */
  static Map<Integer, Set<Integer>> cuts(Fault f, int target, Set<Integer> members) {
    Set<Integer> all = new java.util.TreeSet<>(members);
    Map<Integer, Set<Integer>> cuts = new HashMap<>();
    switch (f.kind()) {
      case ISOLATE -> split(cuts, Set.of(target), all);
      case SPLIT -> {
        Set<Integer> side = new HashSet<>(f.minority());
        side.retainAll(all);
        if (!side.isEmpty()) {
          split(cuts, side, all);
        }
      }
      case BRIDGE -> {
        // The bridge sees everyone; the others split into two halves that cannot see each other.
        List<Integer> rest = new ArrayList<>(all);
        rest.remove(Integer.valueOf(target));
        Set<Integer> left = new HashSet<>(rest.subList(0, rest.size() / 2));
        Set<Integer> right = new HashSet<>(rest.subList(rest.size() / 2, rest.size()));
        left.forEach(k -> cuts.put(k, right));
        right.forEach(k -> cuts.put(k, left));
        cuts.put(target, Set.of());
      }
      default -> { }
    }
    return cuts;
  }

  private static void split(Map<Integer, Set<Integer>> cuts, Set<Integer> side,
      Set<Integer> all) {
    Set<Integer> rest = new HashSet<>(all);
    rest.removeAll(side);
    side.forEach(k -> cuts.put(k, Set.copyOf(rest)));
    rest.forEach(k -> cuts.put(k, Set.copyOf(side)));
  }
}
