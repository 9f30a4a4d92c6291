package raft.kv.cluster;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.api.etcdserverpb.MemberAddRequest;
import raft.kv.api.etcdserverpb.MemberAddResponse;
import raft.kv.api.etcdserverpb.MemberPromoteRequest;
import raft.kv.api.etcdserverpb.MemberRemoveRequest;
import raft.kv.client.Clients;
import raft.kv.pb.NodeStatusResponse;

/**
 * The verbs that change the membership through etcd's Cluster API, as etcdctl's member
 * commands would: add (always as a learner first, thesis §4.2.1: a new member catches up
 * before it counts in a quorum), promote, remove, replace. Each prints what it did and how long
 * the cluster took.
 */
final class MemberVerbs {
  private MemberVerbs() {}

  /** How long a change may be refused for reasons that clear by themselves. */
  static final Duration CHANGE_BUDGET = Duration.ofSeconds(60);

  /** A membership verb on node nK: add, promote, remove, replace. */
  abstract static class MemberVerb extends ClusterCommand.NodeVerb {
    @Override
    final int run() throws Exception {
      ClusterLayout l = layout();
      change(l, l.index(node));
      return 0;
    }

    abstract void change(ClusterLayout l, int k) throws Exception;
  }

  @Command(name = "add", description = "Adds nK to the running cluster as a learner (etcd's"
      + " MemberAdd), starts it with a fresh data dir and --initial-cluster-state existing;"
      + " without --learner, waits until it has caught up and promotes it.")
  static final class Add extends MemberVerb {
    @Option(names = "--learner", description = "Leave it a learner (promote it later).")
    boolean learner;

    @Override
    void change(ClusterLayout l, int k) throws Exception {
      add(l, k, learner, opts().jar(), out(), err());
    }
  }

  @Command(name = "promote", description = "Promotes the learner nK to a voter (etcd's"
      + " MemberPromote), retrying while it is not yet in sync.")
  static final class Promote extends MemberVerb {
    @Override
    void change(ClusterLayout l, int k) throws Exception {
      promote(l, k, out());
    }
  }

  @Command(name = "remove", description = "Removes nK from the cluster (etcd's MemberRemove),"
      + " stops its process and moves its data aside to nK.removed-<time>.")
  static final class Remove extends MemberVerb {
    @Override
    void change(ClusterLayout l, int k) throws Exception {
      remove(l, k, out());
    }
  }

  @Command(name = "replace", description = "Removes nK, wipes it (data moved aside) and adds it"
      + " back as a new member with a new id (learner, caught up, promoted).")
  static final class Replace extends MemberVerb {
    @Override
    void change(ClusterLayout l, int k) throws Exception {
      long old = remove(l, k, out());
      Member now;
      try {
        now = add(l, k, false, opts().jar(), out(), err());
      } catch (Clients.Failure e) {
        throw new Clients.Failure(e.getMessage() + " (" + node + " is removed; add it back with"
            + " scripts/cluster add " + node + " once every voter is up)");
      }
      out().println(node + " replaced: member " + hex(old) + " is gone, " + hex(now.getID())
          + " took its place");
    }
  }

  /** add nK: MemberAdd as a learner, start it, and unless {@code learner}, promote it. */
  static Member add(ClusterLayout l, int k, boolean learner, Path jar, PrintWriter out,
      PrintWriter err) throws Exception {
    String name = ClusterLayout.name(k);
    Members members = Members.load(l);
    NodeProcesses procs = new NodeProcesses(l);
    if (members.contains(k) || procs.running(k).isPresent()) {
      throw new Clients.Failure(name + " is already a member (see scripts/cluster status);"
          + " to make it a new one: scripts/cluster replace " + name);
    }
    StartVerbs.requireJar(jar);
    procs.checkPortsFree(k);
    moveAside(l, k, "old", out);
    long t0 = System.nanoTime();
    List<Member> after;
    Member added;
    try (AdminClients admin = new AdminClients(l)) {
      MemberApi api = new MemberApi(l, procs, admin);
      MemberAddResponse r = addLearner(api, l, k);
      added = r.getMember();
      after = r.getMembersList();
    }
    out.printf("%s added as a learner: member %s, peer %s (%.1f s)%n", name,
        hex(added.getID()), l.peerUrl(k), seconds(t0));
    members.put(k, initialCluster(l, after), "existing");
    members.save();
    out.println(name + " started (pid " + procs.start(k, jar) + ") with an empty data dir and"
        + " --initial-cluster-state existing");
    out.flush();
    StartVerbs.await(l, procs, List.of(k), name + " to answer", s -> true, err);
    if (!learner) {
      awaitCaughtUp(l, k, out);
      promote(l, k, out);
    }
    return added;
  }

  /**
   * MemberAdd(isLearner). A call that timed out may still have been applied: then the retry is
   * refused with "Peer URLs already exists", and the member the first call made is the one.
   */
  private static MemberAddResponse addLearner(MemberApi api, ClusterLayout l, int k)
      throws InterruptedException {
    MemberAddRequest req = MemberAddRequest.newBuilder().addPeerURLs(l.peerUrl(k))
        .setIsLearner(true).build();
    try {
      return api.call("member add", CHANGE_BUDGET, s -> s.memberAdd(req));
    } catch (Clients.Failure e) {
      Optional<List<Member>> now = api.list();
      Member made = now.map(ms -> api.byNode(ms).get(k)).orElse(null);
      if (e.getMessage().contains("Peer URLs already exists") && made != null
          && made.getName().isEmpty()) {
        return MemberAddResponse.newBuilder().setMember(made).addAllMembers(now.get()).build();
      }
      throw e;
    }
  }

  /** etcd's --initial-cluster for a new member: every member by its node name (or own name). */
  static String initialCluster(ClusterLayout l, List<Member> members) {
    List<String> parts = new ArrayList<>();
    for (Member m : members) {
      var k = l.nodeOf(m);
      String name = k.isPresent() ? ClusterLayout.name(k.getAsInt()) : m.getName();
      if (name.isEmpty()) {
        throw new Clients.Failure("member " + hex(m.getID()) + " " + m.getPeerURLsList()
            + " has no name and no node's peer URL; cannot write --initial-cluster");
      }
      for (String url : m.getPeerURLsList()) {
        parts.add(name + "=" + url);
      }
    }
    return String.join(",", parts);
  }

  /** Waits (bounded) until learner k has applied what the leader had committed at the start. */
  static void awaitCaughtUp(ClusterLayout l, int k, PrintWriter out) throws Exception {
    long t0 = System.nanoTime();
    long deadline = t0 + CHANGE_BUDGET.toNanos();
    NodeProcesses procs = new NodeProcesses(l);
    try (AdminClients admin = new AdminClients(l)) {
      MemberApi api = new MemberApi(l, procs, admin);
      long target = leaderCommit(api, admin);
      while (System.nanoTime() < deadline) {
        Optional<NodeStatusResponse> s = admin.status(k);
        if (s.isPresent() && target > 0 && s.get().getApplied() >= target) {
          out.printf("%s caught up: applied %d, the leader's commit index when we started"
              + " waiting was %d (%.1f s)%n", ClusterLayout.name(k), s.get().getApplied(),
              target, seconds(t0));
          return;
        }
        if (target == 0) {
          target = leaderCommit(api, admin);
        }
        Thread.sleep(100);
      }
    }
    out.println("note: " + ClusterLayout.name(k) + " did not report catching up within "
        + CHANGE_BUDGET.toSeconds() + " s; promoting anyway (the leader decides)");
  }

  private static long leaderCommit(MemberApi api, AdminClients admin) {
    List<Integer> t = api.targets();
    return t.isEmpty() ? 0 : admin.status(t.get(0)).filter(s -> s.getRole().equals("leader"))
        .map(NodeStatusResponse::getCommit).orElse(0L);
  }

  /** promote nK: MemberPromote, retried while the leader says the learner is not in sync. */
  static void promote(ClusterLayout l, int k, PrintWriter out) throws Exception {
    long t0 = System.nanoTime();
    try (AdminClients admin = new AdminClients(l)) {
      MemberApi api = new MemberApi(l, new NodeProcesses(l), admin);
      long id = api.member(k).getID();
      api.call("member promote", CHANGE_BUDGET, s -> s.memberPromote(
          MemberPromoteRequest.newBuilder().setID(id).build()));
    }
    out.printf("%s promoted to voter (%.1f s)%n", ClusterLayout.name(k), seconds(t0));
  }

  /**
   * remove nK: MemberRemove, then stop its process and move its data aside. Returns the
   * removed member's id (0 if the cluster no longer listed it: an earlier remove got that far).
   */
  static long remove(ClusterLayout l, int k, PrintWriter out) throws Exception {
    String name = ClusterLayout.name(k);
    Members members = Members.load(l);
    NodeProcesses procs = new NodeProcesses(l);
    long t0 = System.nanoTime();
    long id = 0;
    try (AdminClients admin = new AdminClients(l)) {
      MemberApi api = new MemberApi(l, procs, admin);
      Map<Integer, Member> listed = api.byNode(api.list().orElseThrow(() -> new Clients.Failure(
          "no member answered MemberList (is the cluster running? see scripts/cluster status)")));
      if (listed.containsKey(k)) {
        id = listed.get(k).getID();
        long target = id;
        api.call("member remove", CHANGE_BUDGET, s -> s.memberRemove(
            MemberRemoveRequest.newBuilder().setID(target).build()));
        out.printf("%s removed from the cluster: member %s (%.1f s)%n", name, hex(id),
            seconds(t0));
      } else if (members.contains(k)) {
        out.println("note: the cluster does not list " + name + " any more; stopping it");
      } else {
        throw new Clients.Failure(name + " is not a member (see scripts/cluster status)");
      }
    }
    Optional<ProcessHandle> p = procs.running(k);
    if (p.isPresent()) {
      NodeProcesses.stop(List.of(p.get()), ClusterCommand.STOP_GRACE);
      out.println(name + " stopped (pid " + p.get().pid() + ")");
    }
    Files.deleteIfExists(l.pidFile(k));
    members.remove(k);
    members.save();
    moveAside(l, k, "removed", out);
    return id;
  }

  /** Moves nK's data dir, if any, to nK.{why}-{time}, so that nothing of it is lost. */
  static void moveAside(ClusterLayout l, int k, String why, PrintWriter out) throws IOException {
    Path from = l.nodeDir(k);
    if (!Files.exists(from)) {
      return;
    }
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path to = l.dir().resolve(ClusterLayout.name(k) + "." + why + "-" + stamp);
    for (int i = 2; Files.exists(to); i++) {
      to = l.dir().resolve(ClusterLayout.name(k) + "." + why + "-" + stamp + "-" + i);
    }
    Files.move(from, to);
    out.println(ClusterLayout.name(k) + "'s data moved aside to " + to);
  }

  static String hex(long id) {
    return Long.toHexString(id);
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
