package raft.kv.cluster;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import raft.kv.client.Clients;
import raft.kv.server.FatalExit;

/**
 * Starting, finding and signalling the node JVMs of one {@link ClusterLayout}. A pid file only
 * counts while its process is alive and its command line names this node and data dir, so a
 * recycled pid is never signalled. Blocking: {@link #stop} waits up to its grace period.
 */
final class NodeProcesses {
  enum State { UP, DOWN, PAUSED }

  private final ClusterLayout layout;

  NodeProcesses(ClusterLayout layout) {
    this.layout = layout;
  }

  /** The live process of node k, if any. */
  Optional<ProcessHandle> running(int k) {
    try {
      Path pidFile = layout.pidFile(k);
      if (!Files.isRegularFile(pidFile)) {
        return Optional.empty();
      }
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> isOurs(p, k));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * The live training member of this cluster's AOT cache ({@link MemberAotTraining}), if any:
   * one a launcher that died mid-training left behind, holding a member's ports.
   */
  Optional<ProcessHandle> training() {
    try {
      Path pidFile = layout.dir().resolve(MemberAotTraining.PID_FILE);
      if (!Files.isRegularFile(pidFile)) {
        return Optional.empty();
      }
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
          .filter(p -> commandLineIs(p, c -> MemberAotTraining.isTraining(c, layout.dir())));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether the live process's command line (words joined by spaces, and one at the end)
   * passes {@code test}; true without /proc, trusting the pid file. While a process is in an
   * exec (a node just started: setsid execs java) its command line reads empty or cut short
   * for a few milliseconds, which a busy machine stretches; so a line that fails is read again,
   * up to 20 times 10 ms apart, while the process lives. Another program's never passes.
   */
  private static boolean commandLineIs(ProcessHandle p, Predicate<String> test) {
    Path file = Path.of("/proc/" + p.pid() + "/cmdline");
    try {
      for (int read = 0; read < 20 && p.isAlive(); read++) {
        if (read > 0) {
          Thread.sleep(10);
        }
        if (test.test(Files.readString(file, StandardCharsets.UTF_8).replace('\0', ' '))) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      return !Files.isDirectory(Path.of("/proc/self")); // no /proc: trust the pid file
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private boolean isOurs(ProcessHandle p, int k) {
    return commandLineIs(p, c -> c.contains("--name " + ClusterLayout.name(k) + " ")
        && c.contains("--data-dir " + layout.nodeDir(k) + " "));
  }

  State state(int k) {
    return running(k).map(p -> isPaused(p.pid()) ? State.PAUSED : State.UP).orElse(State.DOWN);
  }

  /** A stopped process shows state 'T' in /proc/pid/stat (the field after the name). */
  static boolean isPaused(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state == 'T' || state == 't';
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Refuses, with the port's owner named, when node k's client, peer or metrics port is taken. */
  void checkPortsFree(int k) {
    checkFree(layout.clientPort(k), ClusterLayout.name(k) + " client");
    checkFree(layout.peerPort(k), ClusterLayout.name(k) + " peer");
    checkFree(layout.metricsPort(k), ClusterLayout.name(k) + " metrics");
  }

  /**
   * n4's and n5's ports (42379 and up) lie in Linux's ephemeral range (32768-60999), so a
   * client's outgoing connection can hold one for a moment (a write loop of etcdctl runs makes
   * thousands): a taken port is tried again for up to 5 s before it counts as in use.
   */
  private static void checkFree(int port, String what) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    while (true) {
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true); // a closed connection's TIME_WAIT does not block a listener
        s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw new Clients.Failure("port " + port + " (" + what + ") is already in use;"
              + " stop whatever holds it or choose another --port-offset");
        }
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Clients.Failure("interrupted while waiting for port " + port);
      }
    }
  }

  /** Starts node k in the background from its data dir; returns its pid. */
  long start(int k, Path jar) throws IOException {
    Files.createDirectories(layout.nodeDir(k));
    ProcessBuilder pb = new ProcessBuilder(command(k, jar))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(layout.logFile(k).toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    long pid = pb.start().pid();
    Files.writeString(layout.pidFile(k), pid + "\n");
    return pid;
  }

  /** Node k's command line, with the flags {@link Members} recorded when it first started. */
  List<String> command(int k, Path jar) throws IOException {
    Members members = Members.load(layout);
    List<String> cmd = new ArrayList<>();
    // setsid: a new session, so a Ctrl-C in the terminal that ran "start" does not reach the
    // nodes. Our child is not a group leader, so setsid execs in place and the pid stays.
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      cmd.add("/usr/bin/setsid");
    }
    cmd.addAll(jvmCommand(jar));
    cmd.addAll(List.of("-jar", jar.toString(), "server",
        "--name", ClusterLayout.name(k),
        "--initial-cluster", members.initialCluster(k)));
    if (members.state(k).equals("existing")) {
      // Joins a running cluster (etcd's flag): an empty log, sent the log or a snapshot.
      cmd.addAll(List.of("--initial-cluster-state", "existing"));
    }
    // With TLS the client and peer URLs are https (the scheme turns TLS on); metrics stay HTTP.
    String scheme = layout.scheme() + "://127.0.0.1:";
    cmd.addAll(List.of("--listen-client-urls", scheme + layout.clientPort(k),
        "--listen-peer-urls", scheme + layout.peerPort(k),
        "--listen-metrics-urls", "http://127.0.0.1:" + layout.metricsPort(k),
        "--member-client-urls", layout.memberClientUrls(),
        "--data-dir", layout.nodeDir(k).toString()));
    cmd.addAll(new ClusterTls(layout).serverFlags(k));
    // More server flags, e.g. "--auto-compaction-retention 0" (raftkv server --help).
    addWords(cmd, System.getenv().getOrDefault("RAFTKV_SERVER_FLAGS", ""));
    return cmd;
  }

  /**
   * The members' java, its options and the AOT cache flag when a fresh cache is there
   * ({@link MemberJvm}, {@link MemberAot}).
   */
  List<String> jvmCommand(Path jar) {
    MemberJvm jvm = MemberJvm.choose();
    List<String> opts = jvm.options(System.getenv());
    List<String> cmd = new ArrayList<>();
    cmd.add(jvm.java().toString());
    cmd.addAll(opts);
    if (MemberAot.wanted(System.getenv(), jvm, opts)) {
      MemberAot.of(jar, jvm, opts, System.getenv()).flag(jar).ifPresent(cmd::add);
    }
    return cmd;
  }

  /** Which java the members run on, for the operator: "Java 25.0.3 (/usr/lib/jvm/...)". */
  static String jvmLine() {
    MemberJvm jvm = MemberJvm.choose();
    return "Java " + jvm.version() + " (" + jvm.home() + ")";
  }

  /**
   * Before a cluster starts: makes the members' AOT cache if they would use one and it is
   * missing or stale (a training run on member k's ports, 20-45 s, at most 60 s,
   * {@link MemberAotTraining}): k is the cluster's first current member, whose ports are free
   * until the members start (node 1 may have been removed, and its ports reused).
   */
  void prepareAotCache(Path jar, int k, java.io.PrintWriter out) throws InterruptedException {
    MemberJvm jvm = MemberJvm.choose();
    List<String> opts = jvm.options(System.getenv());
    if (MemberAot.wanted(System.getenv(), jvm, opts)) {
      MemberAot.deleteStale(jar);
      MemberAot aot = MemberAot.of(jar, jvm, opts, System.getenv());
      new MemberAotTraining(layout, k, jar, jvm, opts).ensure(aot, out);
    }
  }

  private static void addWords(List<String> cmd, String words) {
    for (String w : words.trim().split("\\s+")) {
      if (!w.isEmpty()) {
        cmd.add(w);
      }
    }
  }

  /** SIGSTOP or SIGCONT (Java has no API for them). */
  static void signal(long pid, String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
        .redirectErrorStream(true).start();
    if (kill.waitFor() != 0) {
      throw new Clients.Failure("kill -" + signal + " " + pid + " failed: "
          + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
    }
  }

  /** As {@link #signal}, ignoring failure (the process may have just exited). */
  static void signalQuietly(long pid, String signal) throws InterruptedException {
    try {
      signal(pid, signal);
    } catch (IOException | Clients.Failure e) {
      // gone already: nothing to signal
    }
  }

  /**
   * SIGTERM, then SIGCONT (a paused JVM only acts on SIGTERM once resumed), then waits up to
   * {@code grace}; SIGKILL for whatever is still alive. Returns true if all stopped politely.
   */
  static boolean stop(List<ProcessHandle> processes, Duration grace)
      throws IOException, InterruptedException {
    for (ProcessHandle p : processes) {
      p.destroy();
      signalQuietly(p.pid(), "CONT");
    }
    long deadline = System.nanoTime() + grace.toNanos();
    boolean polite = true;
    for (ProcessHandle p : processes) {
      if (!awaitExit(p, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
        polite = false;
        p.destroyForcibly();
        awaitExit(p, Duration.ofSeconds(5));
      }
    }
    return polite;
  }

  static boolean awaitExit(ProcessHandle p, Duration timeout) throws InterruptedException {
    try {
      p.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return !p.isAlive();
    } catch (java.util.concurrent.ExecutionException e) {
      return !p.isAlive();
    }
  }

  /**
   * Why node k's process ended, if a fatal error ended it: its log's last line says so
   * ({@link FatalExit#reasonIn}). The log lives beside the data dir, not in it, so this works
   * when the data dir's disk is full. A restart appends to the log, so an old reason goes away.
   */
  Optional<String> fatalExitReason(int k) {
    return tailOf(layout.logFile(k)).flatMap(FatalExit::lastOwnLine)
        .flatMap(FatalExit::reasonIn);
  }

  /** The last 64 KiB of a file at most. */
  static Optional<String> tailOf(Path file) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long from = Math.max(0, f.length() - 65536);
      byte[] tail = new byte[(int) (f.length() - from)];
      f.seek(from);
      f.readFully(tail);
      return Optional.of(new String(tail, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The last lines of node k's log, for failure reports. */
  String tail(int k, int lines) {
    try {
      List<String> all = Files.readAllLines(layout.logFile(k), StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
