package raft.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import raft.confchange.ConfChanges;
import raft.core.Raft;
import raft.core.RaftNode;
import raft.pb.ConfChangeSingle;
import raft.pb.ConfChangeTransition;
import raft.pb.ConfChangeType;
import raft.pb.ConfChangeV2;
import raft.pb.ConfState;
import raft.tracker.Progress;

/**
 * Changes the membership during a run, as an operator would, through the current leader's
 * {@link RaftNode#proposeConfChange}: adds a learner (a never-used id, whose process starts
 * with an EMPTY storage and learns the membership from the log it is sent), now and then a
 * fresh voter at once (etcd's plain {@code member add}), promotes a learner
 * once the leader's Progress shows it caught up (match &gt;= the leader's commit, thesis
 * §4.2.1), removes a voter or a learner (the leader itself too, §4.2.2), replaces a member
 * (remove it, then add a fresh id), and makes some changes as one joint change (thesis §4.3:
 * a swap of a learner for a voter, two voters removed at once, a single change entered
 * explicitly joint). It keeps between 1 and {@link SimConfig#maxVoters} voters. The leader may
 * refuse a change (one at a time, none before its term's first commit): that is logged too.
 *
 * <p>A removed member's process keeps running (it may campaign: thesis §4.2.3) until the
 * nemesis stops it for good, a while after it has left the committed configuration and
 * every member's latest one (a crashed member's disk included).
 */
final class MemberNemesis {
  static final int MAX_LEARNERS = 2;
  static final int MAX_PROCESSES = 12;

  private final Simulator sim;
  private final SimConfig cfg;
  private final SplittableRandom rnd;
  private int replacements; // members removed to be replaced, each owed a fresh one
  // A process outside every configuration since (time), and when it is to be stopped.
  private final Map<Integer, Long> stopAt = new HashMap<>();

  MemberNemesis(Simulator sim, SimConfig cfg, SplittableRandom rnd) {
    this.sim = sim;
    this.cfg = cfg;
    this.rnd = rnd;
  }

  /**
   * One membership fault: stop members long gone, then propose a change to the leader; a
   * quarter of the time a second one at once, as an operator in a hurry would (the leader must
   * refuse it: one change at a time, thesis §4.1).
   */
  void change() {
    int l = sim.newestLeader();
    stopRemoved();
    if (l == 0) {
      sim.log("members: no leader to ask");
      return;
    }
    if (propose(l) && rnd.nextInt(4) == 0 && sim.raft(l) != null) {
      propose(l);
    }
  }

  /** Plans one change on leader l's configuration and proposes it; true if l took it. */
  private boolean propose(int l) {
    RaftNode node = sim.node(l).node;
    ConfState cs = node.confState();
    Change ch = plan(node.raft(), cs);
    if (ch == null) {
      return false;
    }
    boolean ok = node.proposeConfChange(ch.cc());
    if (ok) {
      sim.stats.confChangesProposed++;
    } else {
      sim.stats.confChangesRefused++;
    }
    sim.log("members: " + Configs.describe(ch.cc()) + (ok ? " proposed to" : " refused by")
        + " leader n" + l + " (" + Configs.describe(cs) + ")");
    if (ok && ch.newId() != 0) {
      sim.startNew(ch.newId());
    }
    if (ok && ch.replacing()) {
      replacements++;
    } else if (ok && ch.newId() != 0 && replacements > 0) {
      replacements--;
    }
    sim.processReady(sim.node(l));
    return ok;
  }

  private record Change(ConfChangeV2 cc, int newId, boolean replacing) {}

  /** Chooses a change that keeps 1..maxVoters voters; null if none fits now. */
  private Change plan(Raft leader, ConfState cs) {
    List<Long> voters = cs.getVotersList();
    List<Long> learners = cs.getLearnersList();
    List<Long> caughtUp = caughtUpLearners(leader, learners);
    boolean room = learners.size() < MAX_LEARNERS && sim.procs().size() < MAX_PROCESSES;
    int choice = replacements > 0 && room ? 0 : rnd.nextInt(10);
    Change ch = switch (choice) {
      case 0, 1, 2 -> room ? addFresh(ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE) : null;
      case 3, 4 -> caughtUp.isEmpty() ? null
          : simple(ConfChangeType.CONF_CHANGE_ADD_NODE, pick(caughtUp), false);
      case 5 -> simple(ConfChangeType.CONF_CHANGE_REMOVE_NODE,
          pick(ConfChanges.members(cs).stream().toList()), false);
      case 6 -> simple(ConfChangeType.CONF_CHANGE_REMOVE_NODE, pick(voters), true);
      case 7, 8 -> joint(voters, caughtUp);
      default -> rnd.nextBoolean() ? explicitJoint(voters, caughtUp)
          : room && voters.size() >= 2 ? addFresh(ConfChangeType.CONF_CHANGE_ADD_NODE) : null;
    };
    if (ch == null) {
      return null;
    }
    ConfChanges.Result r = ConfChanges.apply(cs, ch.cc());
    int after = r.after().getVotersCount();
    // A refused change is still proposed: the leader must turn it down. One that would leave
    // no voter or too many is not an operator's: skip it.
    return r.refused() == null && (after < 1 || after > cfg.maxVoters) ? null : ch;
  }

  /**
   * A fresh member (a never-used id), with its empty log, added as a learner, or as a voter at
   * once (etcd's plain {@code member add}): a voter counts toward a majority only for what it
   * acknowledges (thesis §4.2.1). A voter only to two voters or more: added to one, it would be
   * needed for every commit until it has caught up with the whole log (the availability gap
   * learners exist for, §4.2.1), which the liveness bound after healing would count as a
   * failure.
   */
  private Change addFresh(ConfChangeType t) {
    int id = sim.maxId() + 1;
    return new Change(ConfChangeV2.newBuilder().addChanges(Configs.single(t, id)).build(), id,
        false);
  }

  private static Change simple(ConfChangeType t, long id, boolean replacing) {
    return new Change(ConfChangeV2.newBuilder().addChanges(Configs.single(t, id)).build(), 0,
        replacing);
  }

  /** Joint consensus: a learner swapped in for a voter, or two voters removed at once. */
  private Change joint(List<Long> voters, List<Long> caughtUp) {
    List<ConfChangeSingle> changes = new ArrayList<>();
    if (!caughtUp.isEmpty() && rnd.nextBoolean()) {
      changes.add(Configs.single(ConfChangeType.CONF_CHANGE_ADD_NODE, pick(caughtUp)));
      // the voter leaves, or stays as a learner (demoted when the joint config is left)
      changes.add(Configs.single(rnd.nextBoolean() ? ConfChangeType.CONF_CHANGE_REMOVE_NODE
          : ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE, pick(voters)));
    } else if (voters.size() >= 3) {
      List<Long> two = new ArrayList<>(voters);
      long a = two.remove(rnd.nextInt(two.size()));
      changes.add(Configs.single(ConfChangeType.CONF_CHANGE_REMOVE_NODE, a));
      changes.add(Configs.single(ConfChangeType.CONF_CHANGE_REMOVE_NODE, pick(two)));
    } else {
      return null;
    }
    return new Change(ConfChangeV2.newBuilder().addAllChanges(changes).build(), 0, false);
  }

  /** One voter changed, but through a joint configuration left by itself (etcd's implicit). */
  private Change explicitJoint(List<Long> voters, List<Long> caughtUp) {
    ConfChangeSingle c = !caughtUp.isEmpty() && rnd.nextBoolean()
        ? Configs.single(ConfChangeType.CONF_CHANGE_ADD_NODE, pick(caughtUp))
        : Configs.single(ConfChangeType.CONF_CHANGE_REMOVE_NODE, pick(voters));
    return new Change(ConfChangeV2.newBuilder().addChanges(c)
        .setTransition(ConfChangeTransition.CONF_CHANGE_TRANSITION_JOINT_IMPLICIT).build(), 0,
        false);
  }

  /**
   * Thesis §4.2.1: learners the leader's Progress shows caught up (match at least its commit)
   * and whose process runs.
   */
  private List<Long> caughtUpLearners(Raft leader, List<Long> learners) {
    List<Long> out = new ArrayList<>();
    for (long id : learners) {
      Progress p = leader.tracker().get(id);
      if (p != null && p.matchIndex() >= leader.log().commitIndex() && sim.raft((int) id) != null) {
        out.add(id);
      }
    }
    return out;
  }

  private long pick(List<Long> ids) {
    return ids.get(rnd.nextInt(ids.size()));
  }

  /**
   * Stops, for good, the processes that have been outside the committed configuration and
   * every process's latest one for a while (a removed member, or one whose addition was lost).
   * Until then they run, and may campaign. A change still uncommitted in any log, a crashed
   * member's disk included, may yet commit: its new member must not be stopped.
   */
  private void stopRemoved() {
    Set<Long> in = new TreeSet<>(ConfChanges.members(sim.committedConf()));
    for (ConfState cs : latestConfs()) {
      in.addAll(ConfChanges.members(cs));
    }
    for (int id : new ArrayList<>(sim.procs())) {
      if (in.contains((long) id)) {
        stopAt.remove(id);
        continue;
      }
      long at = stopAt.computeIfAbsent(id,
          k -> sim.now() + (10 + rnd.nextInt(60)) * Simulator.TICK);
      if (sim.now() >= at) {
        stopAt.remove(id);
        sim.stop(id, " (not in the configuration)");
      }
    }
  }

  /** Every process's latest configuration: the live cores' and the crashed members' disks'. */
  private List<ConfState> latestConfs() {
    List<ConfState> confs = new ArrayList<>();
    for (int id : sim.procs()) {
      confs.add(sim.latestConf(id));
    }
    return confs;
  }

  /**
   * Heal time: stops every process outside the configurations, restarts the others, and
   * leaves {@code down} voters crashed for good: a minority of every configuration that may
   * be in force (the committed one, and each member's latest, crashed members' included).
   */
  void heal(int down) {
    List<ConfState> confs = new ArrayList<>(List.of(sim.committedConf()));
    confs.addAll(latestConfs());
    Set<Long> in = new TreeSet<>();
    for (ConfState cs : confs) {
      in.addAll(ConfChanges.members(cs));
    }
    for (int id : new ArrayList<>(sim.procs())) {
      if (!in.contains((long) id)) {
        sim.stop(id, " (not in the configuration)");
      }
    }
    TreeSet<Long> crashed = chooseDown(down, confs);
    for (int id : sim.procs()) {
      if (crashed.contains((long) id)) {
        sim.crash(id, " for good");
        sim.node(id).stopped = true;
      } else {
        sim.restart(id);
      }
    }
    sim.log("healed: " + Configs.describe(sim.committedConf()) + " committed; down for good "
        + Configs.names(crashed) + ", no partitions, no drops");
  }

  /** Up to {@code down} voters, highest ids first, that stay a minority of every config. */
  private static TreeSet<Long> chooseDown(int down, List<ConfState> confs) {
    TreeSet<Long> crashed = new TreeSet<>();
    for (long v : ConfChanges.voters(confs.get(0)).stream().sorted((a, b) -> Long.compare(b, a))
        .toList()) {
      if (crashed.size() >= down) {
        break;
      }
      crashed.add(v);
      if (!minorityOfAll(crashed, confs)) {
        crashed.remove(v);
      }
    }
    return crashed;
  }

  private static boolean minorityOfAll(Set<Long> crashed, List<ConfState> confs) {
    for (ConfState cs : confs) {
      for (List<Long> half : List.of(cs.getVotersList(), cs.getVotersOutgoingList())) {
        long hit = half.stream().filter(crashed::contains).count();
        if (!half.isEmpty() && hit > (half.size() - 1) / 2) {
          return false;
        }
      }
    }
    return true;
  }
}
