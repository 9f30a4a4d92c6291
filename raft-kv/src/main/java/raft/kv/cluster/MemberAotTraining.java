package raft.kv.cluster;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import raft.kv.client.Clients;

/**
 * Makes a {@link MemberAot} cache by a training run of the real member: one {@code server} on
 * the first member's ports (checked free; the members start after it) and a temporary data
 * dir, run with -XX:AOTCacheOutput, driven by {@code raftkv bench} through puts, ranges,
 * transactions and watches for about 10 s, then stopped by SIGTERM: the JVM writes the cache
 * as it exits (checked: a graceful stop writes it, in about 5 s). The whole run took 20-45 s
 * (load average 2-30), once per build of the jar and set of options, within one deadline,
 * {@link #DEADLINE}. A failed training prints one line, is recorded, and the members start
 * without a cache; nothing here stops a cluster from starting.
 */
final class MemberAotTraining {
  /**
   * The whole training's limit: start, load and the stop that writes the cache. 20-45 s were
   * measured; a training that needs more is a machine too busy to learn much from it.
   */
  static final Duration DEADLINE = Duration.ofSeconds(60);
  /** What of the deadline is kept for the stop: writing the cache took 5-15 s. */
  private static final Duration STOP_RESERVE = Duration.ofSeconds(20);
  /** The workloads: each a bench verb and its arguments after the endpoint. */
  private static final List<List<String>> WORKLOADS = List.of(
      List.of("put", "--clients", "16", "--duration", "4s"),
      List.of("range", "--clients", "8", "--duration", "2s"),
      List.of("txn-put", "--clients", "8", "--duration", "2s"),
      List.of("watch-latency", "--clients", "4", "--duration", "2s"));

  /** The training member's pid, while it runs: stop and clean stop it ({@link #isTraining}). */
  static final String PID_FILE = "aot-training.pid";

  private final ClusterLayout layout;
  // The member whose ports the training borrows: the cluster's first current one.
  private final int k;
  private final Path jar;
  private final MemberJvm jvm;
  private final List<String> opts;
  // The running bench client, for the shutdown hook.
  private volatile Process client;
  // System.nanoTime() by which the training must be over.
  private long deadline;

  MemberAotTraining(ClusterLayout layout, int k, Path jar, MemberJvm jvm, List<String> opts) {
    this.layout = layout;
    this.k = k;
    this.jar = jar;
    this.jvm = jvm;
    this.opts = opts;
  }

  /**
   * Makes aot's file unless it is fresh; true if a fresh cache is there afterwards. A training
   * that failed is not tried again for the same jar and options (a stamp beside the cache
   * records it): each start would otherwise spend up to a minute on it again.
   */
  boolean ensure(MemberAot aot, PrintWriter out) throws InterruptedException {
    if (aot.fresh(jar)) {
      return true;
    }
    if (skipped(aot, out)) {
      return false;
    }
    out.print("cluster: training the members' AOT cache for Java " + jvm.version()
        + " (once per build, 20-45 s, at most " + DEADLINE.toSeconds() + " s): " + aot.file()
        + " ...");
    out.flush();
    return make(aot, out);
  }

  /** Whether the training is skipped: it failed before, or the member's ports are taken. */
  private boolean skipped(MemberAot aot, PrintWriter out) {
    if (aot.failed(jar)) {
      out.println("cluster: members start without an AOT cache: its last training failed for"
          + " this jar and these options (see " + aot.failedFile() + "; delete it to try again)");
      return true;
    }
    try {
      new NodeProcesses(layout).checkPortsFree(k);
      return false;
    } catch (Clients.Failure e) { // not the training's fault: try again next time
      out.println("cluster: members start without an AOT cache this time: " + e.getMessage());
      return true;
    }
  }

  /** Trains, and installs the cache and its stamp, or records the failure. */
  private boolean make(MemberAot aot, PrintWriter out) throws InterruptedException {
    long t0 = System.nanoTime();
    deadline = t0 + DEADLINE.toNanos();
    Path dir = null;
    String jarStamp = null;
    Path cache = beside(aot.file());
    Path stamp = beside(aot.stampFile());
    try {
      jarStamp = MemberAot.jarStamp(jar); // the jar as the training runs it
      Files.createDirectories(layout.dir());
      dir = Files.createTempDirectory(layout.dir(), "aot-training");
      train(dir, cache);
      Files.writeString(stamp, aot.stamp(jarStamp), StandardCharsets.UTF_8);
      install(cache, stamp, aot);
      deleteTree(dir);
      out.println(" made in " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) + " s");
      return true;
    } catch (IOException | RuntimeException e) {
      String why = e.getMessage() + (dir == null ? ""
          : " (see " + dir.resolve("training.log") + ")");
      out.println(" failed: " + why + "; members start without a cache");
      if (jarStamp != null) {
        aot.recordFailure(jarStamp, why);
      }
      return false;
    } finally {
      deleteQuietly(cache);
      deleteQuietly(stamp);
      // The JVM's own AOTConfiguration file (AOTCacheOutput + ".config"), left if it was killed.
      deleteQuietly(cache.resolveSibling(cache.getFileName() + ".config"));
    }
  }

  /**
   * A temporary file in the cache's own folder, so that moving it into place is a rename (a
   * move from the cluster's dir on another file system would copy, and a member starting
   * meanwhile could map half a cache). Named by the launcher's pid: one training per launcher.
   */
  private static Path beside(Path file) {
    return file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
  }

  /**
   * The cache, then its stamp, each renamed into place; the old stamp goes first, so that no
   * moment pairs the new cache with a stamp that says it is fresh for something else.
   */
  private static void install(Path cache, Path stamp, MemberAot aot) throws IOException {
    Files.deleteIfExists(aot.stampFile());
    Files.move(cache, aot.file(), StandardCopyOption.ATOMIC_MOVE);
    Files.move(stamp, aot.stampFile(), StandardCopyOption.ATOMIC_MOVE);
    Files.deleteIfExists(aot.failedFile());
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a leftover temporary file: the next training's clean-up of stale files takes it
    }
  }

  /**
   * Runs the member under training, which writes the cache at exit. Should the launcher die
   * meanwhile, the member (on a member's ports) must not outlive it unnoticed: a shutdown hook
   * kills it and the bench client (SIGTERM, SIGHUP, Ctrl-C), and after a SIGKILL its pid file
   * in DIR lets stop and clean find it.
   */
  private void train(Path dir, Path cache) throws IOException, InterruptedException {
    Process member = new ProcessBuilder(memberCommand(dir, cache))
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("training.log").toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
    Path pidFile = layout.dir().resolve(PID_FILE);
    Thread hook = new Thread(() -> killAll(member, pidFile), "aot-training-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      Files.writeString(pidFile, member.pid() + "\n");
      awaitHealthy(member);
      for (List<String> w : WORKLOADS) {
        bench(w, dir);
      }
    } finally {
      stopMember(member, Math.max(left(0), STOP_RESERVE.toNanos()));
      Files.deleteIfExists(pidFile);
      removeHook(hook);
    }
    deleteTree(dir.resolve("data"));
    if (!Files.isRegularFile(cache) || Files.size(cache) == 0) {
      throw new IOException("the training member exited (" + member.exitValue()
          + ") without writing the cache");
    }
  }

  /** SIGTERM, the graceful stop on which the JVM writes the cache; SIGKILL after {@code nanos}. */
  private static void stopMember(Process member, long nanos)
      throws IOException, InterruptedException {
    member.destroy();
    if (!member.waitFor(nanos, TimeUnit.NANOSECONDS)) {
      member.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new IOException("the training member did not stop (and write the cache) within "
          + TimeUnit.NANOSECONDS.toSeconds(nanos) + " s");
    }
  }

  /** Nanoseconds left before the deadline less {@code reserve}; at least 0. */
  private long left(long reserve) {
    return Math.max(0, deadline - reserve - System.nanoTime());
  }

  /** The launcher is going away: nothing will use this cache, so no graceful stop. */
  private void killAll(Process member, Path pidFile) {
    Process b = client;
    if (b != null) {
      b.destroyForcibly();
    }
    member.destroyForcibly();
    try {
      Files.deleteIfExists(pidFile);
    } catch (IOException e) {
      // stop and clean check the pid's command line anyway
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or will: it kills what is already stopped
    }
  }

  /**
   * Whether the process with this command line is a training member of the cluster in dir: its
   * data dir is one of dir's aot-training* folders, and it makes a cache.
   */
  static boolean isTraining(String cmdline, Path dir) {
    return cmdline.contains("-XX:AOTCacheOutput=")
        && cmdline.contains("--data-dir " + dir.resolve("aot-training"));
  }

  List<String> memberCommand(Path dir, Path cache) {
    List<String> cmd = new ArrayList<>();
    cmd.add(jvm.java().toString());
    cmd.addAll(opts);
    cmd.add("-XX:AOTCacheOutput=" + cache);
    String peer = "http://127.0.0.1:" + layout.peerPort(k);
    cmd.addAll(List.of("-jar", jar.toString(), "server", "--name", "aot",
        "--initial-cluster", "aot=" + peer,
        "--listen-client-urls", "http://127.0.0.1:" + layout.clientPort(k),
        "--listen-peer-urls", peer,
        "--listen-metrics-urls", "http://127.0.0.1:" + layout.metricsPort(k),
        "--data-dir", dir.resolve("data").toString()));
    return cmd;
  }

  /**
   * /health answers 200 once the member has a leader (itself), before the stop's reserve. Then
   * the member must still be alive and answer /version: a health answer from whatever else took
   * the port meanwhile would have the bench load a stranger.
   */
  private void awaitHealthy(Process member) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    while (left(STOP_RESERVE.toNanos()) > 0 && member.isAlive()) {
      if (answers(http, "/health")) {
        if (!member.isAlive()) {
          throw new IOException("the training member exited; another process answers on port "
              + layout.metricsPort(k));
        }
        if (!answers(http, "/version")) {
          throw new IOException("the training member answers /health but not /version");
        }
        return;
      }
      Thread.sleep(200);
    }
    throw new IOException(member.isAlive() ? "the training member did not become healthy in time"
        : "the training member exited (" + member.exitValue() + ") before it was healthy");
  }

  /** Whether GET path on the member's metrics port answers 200 (not listening yet: false). */
  private boolean answers(HttpClient http, String path) throws InterruptedException {
    HttpRequest req = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + layout.metricsPort(k) + path))
        .timeout(Duration.ofSeconds(2)).build();
    try {
      return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException notYet) {
      return false;
    }
  }

  /** One workload by {@code raftkv bench} on the launcher's own java (its output: the log). */
  private void bench(List<String> workload, Path dir) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(), "bench",
        "--endpoints", "127.0.0.1:" + layout.clientPort(k), workload.get(0), "--no-progress"));
    cmd.addAll(workload.subList(1, workload.size()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("bench.log").toFile()))
        .start();
    client = p;
    try {
      if (!p.waitFor(left(STOP_RESERVE.toNanos()), TimeUnit.NANOSECONDS)) {
        throw new IOException("bench " + workload.get(0) + " did not finish within the "
            + DEADLINE.toSeconds() + " s of the training");
      }
    } finally {
      p.destroyForcibly(); // gone already unless it timed out or we were interrupted
      client = null;
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
