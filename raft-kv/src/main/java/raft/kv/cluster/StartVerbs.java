package raft.kv.cluster;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import raft.kv.client.Clients;
import raft.kv.pb.NodeStatusResponse;
import raft.kv.server.BackupFile;

/** The verbs that launch node JVMs: start, restart, heal. */
final class StartVerbs {
  private StartVerbs() {}

  static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  @Command(name = "start", description = "Starts the nodes in the background and waits for a"
      + " leader, then for every member to publish its client URL (at most 30 s each). On Java"
      + " 25 the first start of a build first trains the members'"
      + " AOT cache (20-45 s, at most 60 s; RAFTKV_NODE_AOT=off goes without).")
  static final class Start extends ClusterCommand.Verb {
    @Option(names = "--nodes", defaultValue = "3", description = "1 to 5 (default: 3).")
    int nodes;

    @Option(names = "--restore", paramLabel = "BACKUP", description = "Start a new cluster"
        + " from a backup ('etcdctl snapshot save' from real etcd 3.4 or from ours, or 'raftkv"
        + " snapshot save' in either format); DIR must hold no cluster yet.")
    Path restore;

    @Option(names = "--tls", description = "TLS on every client and peer port (https, client"
        + " certificates required), with a throwaway CA and certificates made in DIR/tls; later"
        + " verbs on DIR use TLS by themselves. A cluster started with --tls keeps it; a plain"
        + " one cannot be turned into one (clean first).")
    boolean tls;

    @Override
    int run() throws Exception {
      ClusterLayout l = newLayout();
      if (restore != null) {
        restoreEveryMember(l);
      }
      NodeProcesses procs = new NodeProcesses(l);
      for (int k = 1; k <= ClusterLayout.MAX_NODES; k++) {
        int n = k;
        procs.running(k).ifPresent(p -> {
          throw new Clients.Failure("the cluster in " + l.dir() + " is already running ("
              + ClusterLayout.name(n) + " pid " + p.pid() + "); use status, heal or stop");
        });
      }
      procs.training().ifPresent(p -> {
        throw new Clients.Failure("the members' AOT cache is being trained in " + l.dir()
            + " (pid " + p.pid() + ": another start, or one that died); wait, or use stop");
      });
      // A cluster that was stopped after add/remove starts with the members it has now.
      Members members = Members.load(l);
      List<Integer> ks = members.ks();
      for (int k : ks) {
        procs.checkPortsFree(k);
      }
      Path jar = requireJar(opts().jar());
      if (l.tls()) {
        new ClusterTls(l).makeCertificates(jar);
      }
      l.save();
      members.save();
      procs.prepareAotCache(jar, ks.get(0), err());
      List<String> started = new ArrayList<>();
      for (int k : ks) {
        started.add(ClusterLayout.name(k) + " (pid " + procs.start(k, jar) + ")");
      }
      out().println("started " + String.join(", ", started) + " on "
          + NodeProcesses.jvmLine() + "; logs in " + l.dir());
      out().flush();
      NodeStatusResponse leader = await(l, procs, ks, "a leader", s -> s.getRole()
          .equals("leader"), err());
      out().println("leader: " + leaderName(l, leader) + " (term " + leader.getTerm() + ")");
      awaitPublished(l, procs, ks, err());
      tryLines(l, ks).forEach(out()::println);
      return 0;
    }

    private void restoreEveryMember(ClusterLayout l) throws java.io.IOException {
      for (int k = 1; k <= l.nodes(); k++) {
        if (Files.exists(l.nodeDir(k))) {
          throw new Clients.Failure("--restore starts a new cluster, but " + l.nodeDir(k)
              + " exists; run clean first");
        }
      }
      long revision = 0;
      for (int k = 1; k <= l.nodes(); k++) {
        // With --tls the restored members list https peer URLs, as they will listen.
        revision = BackupFile.restore(restore, l.nodeDir(k),
            raft.kv.server.ServerConfig.parseInitialCluster(l.initialCluster()), false,
            l.scheme()).state().getRevision();
      }
      out().println("restored " + restore + " (revision " + revision + ") into "
          + l.nodes() + " new members");
    }

    /**
     * Validates --nodes and --port-offset (usage errors) against what DIR already holds. A TLS
     * cluster stays one without --tls; a plain one is refused --tls: its members recorded each
     * other's http:// peer URLs, and converting them all would be a membership change of its
     * own (etcd's member update), not a start.
     */
    private ClusterLayout newLayout() throws Exception {
      ClusterLayout l;
      try {
        Integer offset = opts().portOffset;
        l = new ClusterLayout(nodes, offset == null ? 0 : offset, opts().dir(), tls);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      Optional<ClusterLayout> saved = ClusterLayout.load(l.dir());
      if (saved.isEmpty()) {
        return l;
      }
      ClusterLayout was = saved.get();
      if (was.nodes() != l.nodes() || was.portOffset() != l.portOffset()) {
        throw new Clients.Failure(l.dir() + " holds a " + was.nodes()
            + "-node cluster with --port-offset " + was.portOffset()
            + "; start it the same way, or run clean first");
      }
      if (tls && !was.tls()) {
        throw new Clients.Failure(l.dir() + " holds a cluster started without --tls: its"
            + " members know each other by http:// URLs; start it without --tls, or run clean"
            + " first and start a new one with --tls");
      }
      return was;
    }
  }

  /**
   * What start prints after the leader: the endpoints and commands that work as printed, with
   * etcdctl's TLS flags (--cacert --cert --key) when the cluster has TLS.
   */
  static List<String> tryLines(ClusterLayout l, List<Integer> ks) {
    String eps = l.endpoints(ks);
    String flags = new ClusterTls(l).clientFlags();
    List<String> lines = new ArrayList<>();
    lines.add("endpoints: " + eps);
    if (l.tls()) {
      lines.add("tls: CA, member and client certificates in " + new ClusterTls(l).dir()
          + "; clients must present client.crt");
    }
    lines.add("try: scripts/raftkv --endpoints=" + eps + flags + " put greeting hello");
    lines.add("     ETCDCTL_API=3 etcdctl --endpoints=" + eps + flags + " get greeting");
    if (l.tls()) {
      lines.add("     ETCDCTL_API=3 etcdctl --endpoints=" + eps + flags
          + " endpoint status -w table");
    }
    return lines;
  }

  @Command(name = "restart", description = "Starts a node from its data; a running one is"
      + " stopped gracefully first.")
  static final class Restart extends ClusterCommand.NodeVerb {
    @Override
    int run() throws Exception {
      ClusterLayout l = layout();
      int k = member(l);
      NodeProcesses procs = new NodeProcesses(l);
      Path jar = requireJar(opts().jar());
      Optional<ProcessHandle> p = procs.running(k);
      if (p.isPresent()) {
        NodeProcesses.stop(List.of(p.get()), ClusterCommand.STOP_GRACE);
        out().println(node + " stopped (pid " + p.get().pid() + ")");
      }
      procs.checkPortsFree(k);
      out().println(node + " started (pid " + procs.start(k, jar) + ")");
      out().flush();
      await(l, procs, List.of(k), node + " to answer", s -> true, err());
      return 0;
    }
  }

  @Command(name = "heal", description = "Resumes paused nodes, starts stopped ones and removes"
      + " every partition. Idempotent.")
  static final class Heal extends ClusterCommand.Verb {
    @Override
    int run() throws Exception {
      ClusterLayout l = layout();
      NodeProcesses procs = new NodeProcesses(l);
      List<Integer> started = new ArrayList<>();
      // The launcher's members only: a removed member stays down (its data is moved aside).
      try (AdminClients admin = new AdminClients(l)) {
        for (int k : Members.load(l).ks()) {
          String name = ClusterLayout.name(k);
          switch (procs.state(k)) {
            case PAUSED -> {
              NodeProcesses.signal(procs.running(k).orElseThrow().pid(), "CONT");
              out().println(name + " resumed");
            }
            case DOWN -> {
              procs.checkPortsFree(k);
              out().println(name + " started (pid " + procs.start(k, requireJar(opts().jar()))
                  + ")");
              started.add(k);
              continue; // a fresh process has no partition to clear
            }
            case UP -> { }
          }
          admin.partition(k, List.of());
        }
      }
      out().println("partitions cleared");
      out().flush();
      if (!started.isEmpty()) {
        await(l, procs, started, "the started nodes to answer", s -> true, err());
      }
      return 0;
    }
  }

  /** The leader's node name; its id is k itself in a cluster that never changed members. */
  static String leaderName(ClusterLayout l, NodeStatusResponse leader) {
    try (AdminClients admin = new AdminClients(l)) {
      return new MemberApi(l, new NodeProcesses(l), admin).list().map(ms -> Ids.of(l, ms))
          .orElse(Ids.ofNodes()).name(leader.getId());
    }
  }

  static Path requireJar(Path jar) {
    if (!Files.isRegularFile(jar)) {
      throw new Clients.Failure("node jar not found: " + jar + " (scripts/cluster builds it;"
          + " or run ./mvnw -pl raft-kv -am package -DskipTests)");
    }
    return jar;
  }

  /**
   * Polls NodeStatus on {@code watched} every 200 ms until one answer satisfies {@code goal},
   * for at most {@link #START_TIMEOUT} ({@link #poll}).
   */
  static NodeStatusResponse await(ClusterLayout l, NodeProcesses procs, List<Integer> watched,
      String what, Predicate<NodeStatusResponse> goal, PrintWriter err) throws Exception {
    return poll(l, procs, watched, what, err, admin -> {
      for (int k : watched) {
        if (procs.state(k) == NodeProcesses.State.UP) {
          Optional<NodeStatusResponse> s = admin.status(k).filter(goal);
          if (s.isPresent()) {
            return s;
          }
        }
      }
      return Optional.empty();
    });
  }

  /**
   * Waits ({@link #poll}) until the cluster's MemberList shows every member in {@code ks} with
   * its client URL: each member publishes it through the log once there is a leader (etcd's
   * publish; etcd serves clients only after it), so that right after start {@code etcdctl
   * member list} and the JSON gateway list every member as started.
   */
  static void awaitPublished(ClusterLayout l, NodeProcesses procs, List<Integer> ks,
      PrintWriter err) throws Exception {
    poll(l, procs, ks, "every member to publish its client URL", err, admin -> {
      MemberApi api = new MemberApi(l, procs, admin);
      return api.list().map(api::byNode).filter(byNode -> ks.stream()
          .allMatch(k -> byNode.containsKey(k) && byNode.get(k).getClientURLsCount() > 0));
    });
  }

  /**
   * Asks {@code answer} every 200 ms until it has one, for at most {@link #START_TIMEOUT}. A
   * watched node that exits, or the timeout, prints the tails of the logs and fails. Leaves the
   * nodes running either way, so that status and logs can show what happened.
   */
  private static <T> T poll(ClusterLayout l, NodeProcesses procs, List<Integer> watched,
      String what, PrintWriter err, Function<AdminClients, Optional<T>> answer)
      throws Exception {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    try (AdminClients admin = new AdminClients(l)) {
      while (System.nanoTime() < deadline) {
        for (int k : watched) {
          if (procs.running(k).isEmpty()) {
            printTail(l, procs, List.of(k), err);
            throw new Clients.Failure(ClusterLayout.name(k) + " exited while starting (its log"
                + " is above: " + l.logFile(k) + ")");
          }
        }
        Optional<T> a = answer.apply(admin);
        if (a.isPresent()) {
          return a.get();
        }
        Thread.sleep(200);
      }
    }
    printTail(l, procs, watched, err);
    throw new Clients.Failure("timed out after " + START_TIMEOUT.toSeconds() + " s waiting for "
        + what + " (log tails above; see scripts/cluster status, or stop)");
  }

  private static void printTail(ClusterLayout l, NodeProcesses procs, List<Integer> ks,
      PrintWriter err) {
    for (int k : ks) {
      err.println("--- " + l.logFile(k) + " (last 20 lines) ---");
      err.println(procs.tail(k, 20));
    }
    err.flush();
  }
}
