package raft.props;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import raft.core.Config;
import raft.core.Raft;
import raft.core.StateRole;
import raft.lessons.Experiments;
import raft.pb.Entry;
import raft.sim.Property;
import raft.sim.SimConfig;
import raft.sim.SimResult;
import raft.sim.Simulator;

/**
 * The split of {@link Experiments#split}, watched more closely: every probe has its own name,
 * and the old leader's log is captured at the very event at which it stops leading. That tells
 * "what it accepted before stepping down" (uncommitted entries, which a later leader may still
 * commit after healing: Raft never promised otherwise) from "what it accepted afterwards" (which
 * must be nothing). {@code Experiments.split} cannot tell the two apart; see
 * {@link OddEvenProperties#oldLeaderAcceptsNothingAfterSteppingDown}.
 */
final class SplitWatch {
  private SplitWatch() {}

  /**
   * @param stepDownTicks ticks from the cut to the event at which the old leader stopped leading;
   *     -1 if it still led when the split ended
   * @param logAtStepDown the probes in the old leader's log at that event
   * @param logAtHeal the probes in the old leader's log when the split ended
   * @param proposedAfterStepDown probes offered on the old leader's side after it stepped down
   * @param committedDuringSplit probes (of either side) that committed before healing
   * @param committedAfterHeal probes (of either side) that committed only after healing
   */
  record Watch(int n, Set<Integer> sideA, long seed, int oldLeader, boolean oldLeaderInA,
      long stepDownTicks, Set<String> logAtStepDown, Set<String> logAtHeal,
      Set<String> proposedAfterStepDown, Set<String> committedDuringSplit,
      Set<String> committedAfterHeal, SimResult result) {

    /** The probes of one side ("A" or "B") in a set of probe names. */
    static Set<String> ofSide(Set<String> probes, String side) {
      TreeSet<String> s = new TreeSet<>();
      for (String p : probes) {
        if (p.startsWith("probe:" + side + ":")) {
          s.add(p);
        }
      }
      return s;
    }

    String replay() {
      return "SplitWatch.run(" + n + ", Set.of(" + String.join(", ",
          sideA.stream().map(String::valueOf).toList()) + "), " + seed + "L, Raft::new)";
    }
  }

  /**
   * Like {@code Experiments.split(n, sideA, seed)}, same timing and same probing; {@code raft}
   * builds each member's protocol ({@code Raft::new}, or a broken variant to show the teeth).
   */
  static Watch run(int n, Set<Integer> sideA, long seed, Function<Config, Raft> raft) {
    // No snapshots in the quiet cluster: the old leader's log still holds all it accepted.
    SimConfig c = Experiments.quietCluster(n, seed);
    c.raftFactory = raft;
    Simulator sim = new Simulator(c, null);
    sim.start();
    Experiments.settle(sim, n);
    int old = Experiments.leader(sim, n);
    List<Integer> a = new ArrayList<>(new TreeSet<>(sideA));
    List<Integer> b = Experiments.cutApart(sim, n, sideA);
    long cutTick = sim.nowTicks();
    long end = cutTick + Experiments.BOUND_TICKS;
    Map<String, Boolean> proposed = new LinkedHashMap<>(); // probe -> offered after step-down
    long[] stepDown = {-1};
    List<Set<String>> atStepDown = new ArrayList<>(); // one element, once it stepped down
    boolean oldInA = sideA.contains(old);
    int k = 0;
    while (sim.nowTicks() < end && sim.result().safe()) {
      for (int i : a) {
        proposed.put(offer(sim, "A", i, k), oldInA && stepDown[0] >= 0);
      }
      for (int i : b) {
        proposed.put(offer(sim, "B", i, k), !oldInA && stepDown[0] >= 0);
      }
      k++;
      // Look after every event, so the capture is the log at the step-down itself.
      sim.runUntil(() -> {
        if (stepDown[0] < 0 && old != 0 && !leads(sim.raft(old))) {
          stepDown[0] = sim.nowTicks() - cutTick;
          atStepDown.add(probesIn(sim.raft(old)));
        }
        return false;
      }, sim.nowTicks() + 1);
    }
    Set<String> atHeal = old == 0 ? Set.of() : probesIn(sim.raft(old));
    TreeSet<String> during = new TreeSet<>();
    for (String p : proposed.keySet()) {
      if (sim.firstAppliedTime(p) >= 0) {
        during.add(p);
      }
    }
    sim.healNetwork();
    sim.runUntil(() -> false, sim.nowTicks() + Experiments.BOUND_TICKS);
    TreeSet<String> after = new TreeSet<>();
    TreeSet<String> lateOffers = new TreeSet<>();
    proposed.forEach((p, late) -> {
      if (!during.contains(p) && sim.firstAppliedTime(p) >= 0) {
        after.add(p);
      }
      if (late) {
        lateOffers.add(p);
      }
    });
    Set<String> atStep = atStepDown.isEmpty() ? Set.of() : atStepDown.get(0);
    return new Watch(n, new TreeSet<>(sideA), seed, old, oldInA, stepDown[0], atStep, atHeal,
        lateOffers, during, after, sim.result());
  }

  /** Offers probe "probe:SIDE:K:I." at member i; the final dot keeps names prefix-free. */
  private static String offer(Simulator sim, String side, int i, int k) {
    String p = "probe:" + side + ":" + k + ":" + i + ".";
    sim.proposeAt(i, p);
    return p;
  }

  private static boolean leads(Raft r) {
    return r != null && r.role() == StateRole.LEADER;
  }

  private static Set<String> probesIn(Raft r) {
    TreeSet<String> s = new TreeSet<>();
    if (r != null) {
      for (Entry e : r.log().allEntries()) {
        if (e.getData().startsWith(Simulator.PROBE)) {
          s.add(e.getData().toStringUtf8());
        }
      }
    }
    return s;
  }
}
