package raft.kv.cluster;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import raft.kv.client.Clients;

/**
 * {@code raftkv cluster} (scripts/cluster): a local cluster of node JVMs on loopback, driven
 * by DESIGN.md's contract. Every verb takes {@code --data DIR} and {@code --port-offset N};
 * errors are one {@code Error: ...} line and exit 1. Verbs that start nodes live in
 * {@link StartVerbs}, status and partitions in {@link StatusVerbs}.
 */
@Command(name = "cluster", description = "Runs a local cluster: start, status, kill, restart,"
    + " pause, resume, partition, heal, logs, stop, clean; add, promote, remove, replace"
    + " change its membership (etcd's member API); transfer moves leadership; view serves a"
    + " live web page of it.",
    subcommands = {StartVerbs.Start.class, StatusVerbs.Status.class, ClusterCommand.Kill.class,
        StartVerbs.Restart.class, ClusterCommand.Pause.class, ClusterCommand.Resume.class,
        StatusVerbs.Partition.class, StartVerbs.Heal.class, ClusterCommand.Logs.class,
        ClusterCommand.Stop.class, ClusterCommand.Clean.class, MemberVerbs.Add.class,
        MemberVerbs.Promote.class, MemberVerbs.Remove.class, MemberVerbs.Replace.class,
        TransferVerb.class, ViewVerb.class})
public final class ClusterCommand {
  static final Duration STOP_GRACE = Duration.ofSeconds(10);

  // The options every verb shares; inherited, so they may come before or after the verb.
  @Option(names = "--data", paramLabel = "DIR", scope = ScopeType.INHERIT,
      description = "Cluster directory (default: data/cluster in the repository).")
  Path data;

  @Option(names = "--port-offset", paramLabel = "N", scope = ScopeType.INHERIT,
      description = "Shift every port by N (default: 0, or what start recorded).")
  Integer portOffset;

  @Option(names = "--jar", hidden = true, scope = ScopeType.INHERIT,
      description = "The raftkv.jar the nodes run.")
  Path jar;

  Path dir() {
    if (data != null) {
      return data.toAbsolutePath().normalize();
    }
    String root = System.getProperty("raftkv.root");
    return (root != null ? Path.of(root) : Path.of("")).resolve("data/cluster")
        .toAbsolutePath().normalize();
  }

  /** The jar we are running from (scripts/cluster), unless --jar says otherwise. */
  Path jar() {
    if (jar != null) {
      return jar.toAbsolutePath();
    }
    try {
      Path self = Path.of(ClusterCommand.class.getProtectionDomain().getCodeSource()
          .getLocation().toURI());
      if (self.toString().endsWith(".jar")) {
        return self;
      }
    } catch (Exception e) {
      // fall through to the build's usual place
    }
    String root = System.getProperty("raftkv.root", ".");
    return Path.of(root, "raft-kv/target/raftkv.jar").toAbsolutePath().normalize();
  }

  /** One verb: shared options, one-line failures, output flushed at the end. */
  abstract static class Verb implements Callable<Integer> {
    @Spec CommandSpec spec;

    /** The shared options live on the cluster command (picocli sets inherited ones there). */
    ClusterCommand opts() {
      return (ClusterCommand) spec.parent().userObject();
    }

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    PrintWriter err() {
      return spec.commandLine().getErr();
    }

    /** The cluster that start recorded in --data, or a clear error. */
    ClusterLayout layout() throws IOException {
      Path dir = opts().dir();
      Optional<ClusterLayout> saved = ClusterLayout.load(dir);
      if (saved.isEmpty()) {
        throw new Clients.Failure("no cluster in " + dir + " (run scripts/cluster start first)");
      }
      ClusterLayout l = saved.get();
      if (opts().portOffset != null && opts().portOffset != l.portOffset()) {
        throw new Clients.Failure("the cluster in " + dir + " was started with --port-offset "
            + l.portOffset() + ", not " + opts().portOffset);
      }
      return l;
    }

    @Override
    public final Integer call() throws Exception {
      try {
        return run();
      } catch (IllegalArgumentException e) {
        throw new Clients.Failure(e.getMessage());
      } finally {
        out().flush();
        err().flush();
      }
    }

    abstract int run() throws Exception;
  }

  /** A verb aimed at one node, nK. */
  abstract static class NodeVerb extends Verb {
    @Parameters(index = "0", paramLabel = "nK", description = "The node, n1..n5.")
    String node;

    /** nK, which must be one of the launcher's members (add makes one, remove unmakes it). */
    int member(ClusterLayout l) throws IOException {
      int k = l.index(node);
      Members members = Members.load(l);
      if (!members.contains(k)) {
        throw new Clients.Failure(node + " is not a member of this cluster (members: "
            + String.join(",", members.ks().stream().map(ClusterLayout::name).toList())
            + "; scripts/cluster add " + node + " adds it)");
      }
      return k;
    }

    ProcessHandle runningOrFail(NodeProcesses procs, int k) {
      return procs.running(k).orElseThrow(() -> new Clients.Failure(node + " is not running"));
    }
  }

  @Command(name = "kill", description = "SIGKILL a node, like a power cut.")
  static final class Kill extends NodeVerb {
    @Override
    int run() throws Exception {
      ClusterLayout l = layout();
      int k = l.index(node);
      ProcessHandle p = runningOrFail(new NodeProcesses(l), k);
      p.destroyForcibly();
      NodeProcesses.awaitExit(p, Duration.ofSeconds(5));
      out().println(node + " killed (pid " + p.pid() + ")");
      return 0;
    }
  }

  @Command(name = "pause", description = "SIGSTOP a node: it freezes, holding its sockets.")
  static final class Pause extends NodeVerb {
    @Override
    int run() throws Exception {
      ClusterLayout l = layout();
      NodeProcesses procs = new NodeProcesses(l);
      int k = l.index(node);
      ProcessHandle p = runningOrFail(procs, k);
      if (procs.state(k) == NodeProcesses.State.PAUSED) {
        throw new Clients.Failure(node + " is already paused");
      }
      NodeProcesses.signal(p.pid(), "STOP");
      out().println(node + " paused (pid " + p.pid() + ")");
      return 0;
    }
  }

  @Command(name = "resume", description = "SIGCONT a paused node.")
  static final class Resume extends NodeVerb {
    @Override
    int run() throws Exception {
      ClusterLayout l = layout();
      NodeProcesses procs = new NodeProcesses(l);
      int k = l.index(node);
      ProcessHandle p = runningOrFail(procs, k);
      if (procs.state(k) != NodeProcesses.State.PAUSED) {
        throw new Clients.Failure(node + " is not paused");
      }
      NodeProcesses.signal(p.pid(), "CONT");
      out().println(node + " resumed (pid " + p.pid() + ")");
      return 0;
    }
  }

  @Command(name = "logs", description = "Prints a node's log.")
  static final class Logs extends NodeVerb {
    @Option(names = {"-f", "--follow"}, description = "Keep printing as it grows (tail -f).")
    boolean follow;

    @Override
    int run() throws Exception {
      ClusterLayout l = layout();
      Path log = l.logFile(l.index(node));
      if (!Files.isRegularFile(log)) {
        throw new Clients.Failure("no log for " + node + " at " + log);
      }
      if (follow) {
        out().flush();
        return new ProcessBuilder("tail", "-n", "+1", "-f", log.toString()).inheritIO().start()
            .waitFor();
      }
      out().print(Files.readString(log));
      return 0;
    }
  }

  @Command(name = "stop", description = "Stops every node (SIGTERM, SIGKILL after 10 s); data kept.")
  static final class Stop extends Verb {
    @Override
    int run() throws Exception {
      stopAll(layout(), out());
      return 0;
    }
  }

  @Command(name = "clean", description = "Stops every node and deletes the cluster directory.")
  static final class Clean extends Verb {
    @Override
    int run() throws Exception {
      Path dir = opts().dir();
      if (!Files.exists(dir)) {
        out().println("nothing to clean: " + dir + " does not exist");
        return 0;
      }
      if (!Files.isRegularFile(dir.resolve(ClusterLayout.MARKER))) {
        throw new Clients.Failure("refusing to delete " + dir + ": it has no "
            + ClusterLayout.MARKER + ", so it is not a cluster directory");
      }
      stopAll(layout(), out());
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
      out().println("deleted " + dir);
      return 0;
    }
  }

  /** Stops the view and every running node gracefully (paused ones too); removes pid files. */
  static void stopAll(ClusterLayout l, PrintWriter out) throws Exception {
    ViewVerb.stop(l.dir(), out);
    NodeProcesses procs = new NodeProcesses(l);
    List<ProcessHandle> running = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int k = 1; k <= ClusterLayout.MAX_NODES; k++) {
      Optional<ProcessHandle> p = procs.running(k);
      if (p.isPresent()) {
        running.add(p.get());
        names.add(ClusterLayout.name(k));
      }
    }
    Optional<ProcessHandle> training = procs.training();
    if (training.isPresent()) {
      running.add(training.get());
      names.add("the AOT cache's training member (pid " + training.get().pid() + ")");
    }
    boolean polite = NodeProcesses.stop(running, STOP_GRACE);
    for (int k = 1; k <= ClusterLayout.MAX_NODES; k++) {
      Files.deleteIfExists(l.pidFile(k));
    }
    Files.deleteIfExists(l.dir().resolve(MemberAotTraining.PID_FILE));
    out.println(names.isEmpty() ? "no node was running"
        : "stopped " + String.join(" ", names) + (polite ? "" : " (some needed SIGKILL)"));
  }
}
