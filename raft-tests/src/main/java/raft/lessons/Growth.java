package raft.lessons;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import raft.core.Raft;
import raft.core.StateRole;
import raft.pb.ConfChangeSingle;
import raft.pb.ConfChangeType;
import raft.pb.ConfChangeV2;
import raft.sim.SimConfig;
import raft.sim.SimResult;
import raft.sim.Simulator;

/**
 * The odd-even lesson on a real operation: growing a cluster from 3 to 5 members passes
 * through 4. One simulated cluster starts with 3 voters (a log of bootstrap entries, as etcd
 * writes it) and grows one member at a time, each joining as a learner with an empty log and
 * promoted once the leader shows it caught up (thesis §4.2.1), while one of the voters is
 * crashed (the change commits without it). At each size on the way the cluster is put to the
 * test: the leader and k-1 other voters crash, the survivors are offered a probe
 * every tick for {@link Experiments#BOUND_TICKS}, and the crashed ones come back; k goes up
 * until nothing commits. 4 tolerates 1 crash, like 3; 5 tolerates 2.
 */
public final class Growth {
  private Growth() {}

  /**
   * One size on the way: the voter that was down while the newest member joined (0 for the
   * first size), and whether the survivors committed with k = 1, 2, ... crashed (the leader
   * among them), up to the first k that stopped the cluster.
   */
  public record Step(int voters, int downWhileJoining, List<Boolean> committed,
      SimResult result) {
    public int quorum() {
      return Experiments.quorum(voters);
    }

    /** The most crashes after which the survivors still committed. */
    public int tolerated() {
      int k = 0;
      while (k < committed.size() && committed.get(k)) {
        k++;
      }
      return k;
    }
  }

  /** Grows from {@code from} to {@code to} voters; null entries if the cluster got stuck. */
  public static List<Step> path(int from, int to, long seed) {
    SimConfig c = Experiments.quietCluster(from, seed);
    c.bootstrapLog = true;
    c.scriptedBy = "raft.lessons.Growth";
    Simulator sim = new Simulator(c, null);
    sim.start();
    TreeSet<Integer> voters = new TreeSet<>();
    for (int i = 1; i <= from; i++) {
      voters.add(i);
    }
    List<Step> steps = new ArrayList<>();
    for (int size = from; size <= to; size++) {
      int down = size > from ? grow(sim, voters) : 0;
      if (down < 0) {
        break;
      }
      List<Boolean> committed = new ArrayList<>();
      for (int k = 1; k <= size && settle(sim, voters); k++) {
        committed.add(crashAndProbe(sim, voters, k));
        if (!committed.get(k - 1)) {
          break;
        }
      }
      steps.add(new Step(size, down, committed, sim.result()));
      if (!sim.result().safe()) {
        break;
      }
    }
    return steps;
  }

  /** Crashes the leader and k-1 other voters, probes the rest, then restarts the crashed. */
  private static boolean crashAndProbe(Simulator sim, TreeSet<Integer> voters, int k) {
    int leader = leader(sim, voters);
    List<Integer> down = new ArrayList<>(List.of(leader));
    for (int v : voters.descendingSet()) {
      if (down.size() < k && v != leader) {
        down.add(v);
      }
    }
    down.forEach(sim::crashNode);
    List<Integer> up = new ArrayList<>(voters);
    up.removeAll(down);
    boolean ok = Experiments.probe(sim, up, "probe:" + voters.size() + ":" + k + ":",
        Experiments.BOUND_TICKS).committed();
    down.forEach(sim::restartNode);
    return ok;
  }

  /**
   * Crashes a voter other than the leader, adds a fresh member as a learner, waits until it has
   * caught up, promotes it (thesis §4.2.1), and restarts the crashed voter. Returns the voter
   * that was down, or -1 if a step did not finish within the bound.
   */
  private static int grow(Simulator sim, TreeSet<Integer> voters) {
    if (!settle(sim, voters)) {
      return -1;
    }
    int leader = leader(sim, voters);
    int down = voters.descendingSet().stream().filter(v -> v != leader).findFirst().orElseThrow();
    sim.crashNode(down);
    TreeSet<Integer> up = new TreeSet<>(voters);
    up.remove(down);
    int id = sim.addMember();
    boolean ok = change(sim, up, ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE, id)
        && sim.runUntil(() -> caughtUp(sim, up, id), sim.nowTicks() + Experiments.BOUND_TICKS)
        && change(sim, up, ConfChangeType.CONF_CHANGE_ADD_NODE, id);
    sim.restartNode(down);
    if (!ok) {
      return -1;
    }
    voters.add(id);
    return down;
  }

  /** Proposes one change to the leader and waits until the leader has applied it. */
  private static boolean change(Simulator sim, TreeSet<Integer> voters, ConfChangeType t,
      int id) {
    if (!settle(sim, voters)) {
      return false;
    }
    int l = leader(sim, voters);
    ConfChangeV2 cc = ConfChangeV2.newBuilder()
        .addChanges(ConfChangeSingle.newBuilder().setType(t).setNodeId(id)).build();
    if (!sim.proposeConfChange(l, cc)) {
      return false;
    }
    long at = sim.raft(l).log().lastIndex();
    return sim.runUntil(() -> sim.raft(l) != null && sim.raft(l).log().lastApplied() >= at,
        sim.nowTicks() + Experiments.BOUND_TICKS);
  }

  private static boolean caughtUp(Simulator sim, TreeSet<Integer> voters, int id) {
    int l = leader(sim, voters);
    if (l == 0 || sim.raft(l).tracker().get(id) == null) {
      return false;
    }
    Raft r = sim.raft(l);
    return r.tracker().get(id).matchIndex() >= r.log().commitIndex();
  }

  /** Runs until every voter is up and a leader has committed an entry of its term. */
  private static boolean settle(Simulator sim, TreeSet<Integer> voters) {
    return sim.runUntil(() -> leader(sim, voters) != 0
        && voters.stream().allMatch(v -> sim.raft(v) != null),
        sim.nowTicks() + Experiments.BOUND_TICKS);
  }

  /** The voter that leads and has committed in its own term, or 0. */
  private static int leader(Simulator sim, TreeSet<Integer> voters) {
    for (int v : voters) {
      Raft r = sim.raft(v);
      if (r != null && r.role() == StateRole.LEADER
          && r.log().term(r.log().commitIndex()) == r.term()) {
        return v;
      }
    }
    return 0;
  }
}
