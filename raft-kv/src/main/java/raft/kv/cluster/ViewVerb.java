package raft.kv.cluster;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import raft.kv.client.Clients;

/**
 * {@code scripts/cluster view}: a web page of the running cluster on 127.0.0.1:(2390 + port
 * offset), live (server-sent events) with buttons that run this launcher's own verbs. It
 * prints its URL first and serves until stopped; {@code --background} starts it as a process
 * of its own (like the members: setsid, log in the cluster directory) whose pid {@code
 * view.pid} records, so {@code stop} and {@code clean} stop it too.
 */
@Command(name = "view", description = "Serves a live web view of the cluster, with buttons"
    + " for kill, restart, pause, resume, partition, heal, transfer, put, add and remove;"
    + " prints its URL first.")
final class ViewVerb extends ClusterCommand.Verb {
  static final int BASE_PORT = 2390;
  static final String PID_FILE = "view.pid";
  static final String LOG_FILE = "view.log";
  private static final Duration START_BUDGET = Duration.ofSeconds(30);

  @Option(names = "--background", description = "Run it as a process of its own and return.")
  boolean background;

  @Option(names = "--view-port", paramLabel = "N",
      description = "Listen on this port (default: 2390 + the port offset).")
  Integer viewPort;

  @Override
  int run() throws Exception {
    ClusterLayout l = layout();
    int port = viewPort != null ? viewPort : BASE_PORT + l.portOffset();
    String url = "http://127.0.0.1:" + port + "/";
    // The pid file may name this very process: --background's parent writes it first.
    Optional<ProcessHandle> running = running(l.dir())
        .filter(p -> p.pid() != ProcessHandle.current().pid());
    if (running.isPresent()) {
      throw new Clients.Failure("a view of this cluster is already running (pid "
          + running.get().pid() + "); kill " + running.get().pid() + " stops it");
    }
    return background ? detach(l, port, url) : serve(l, port, url);
  }

  private int serve(ClusterLayout l, int port, String url) throws Exception {
    ViewTimeline timeline = new ViewTimeline();
    ViewSource source = new ViewSource(l);
    ViewActions actions = new ViewActions(l, timeline);
    ViewPoller poller = new ViewPoller(source, timeline);
    ViewServer server = new ViewServer(actions::submit, poller::greeting);
    try {
      server.start(port);
    } catch (Exception e) {
      server.close();
      source.close();
      actions.close();
      throw new Clients.Failure("cannot listen on 127.0.0.1:" + port + " (" + e.getMessage()
          + "); is it in use? --view-port N chooses another");
    }
    long pid = ProcessHandle.current().pid();
    Path pidFile = l.dir().resolve(PID_FILE);
    Files.writeString(pidFile, pid + "\n");
    poller.start(server::broadcast);
    out().println(url);
    out().println("the view of " + l.dir() + " (pid " + pid + "); Ctrl-C stops it");
    out().flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      poller.close();
      server.close();
      actions.close();
      source.close();
      deleteIfOurs(pidFile, pid);
      stopped.countDown();
    }, "view-shutdown"));
    stopped.await(); // until SIGTERM or Ctrl-C: the hook above ends it
    return 0;
  }

  /** Starts the view as its own process, waits until it serves, prints the URL. */
  private int detach(ClusterLayout l, int port, String url) throws Exception {
    if (serving(port)) {
      // Else the wait below would take the other listener for our view, say it started, and
      // leave view.pid naming a process that failed to bind.
      throw new Clients.Failure("cannot listen on 127.0.0.1:" + port + " (in use); --view-port"
          + " N chooses another");
    }
    List<String> cmd = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      cmd.add("/usr/bin/setsid"); // a Ctrl-C in this terminal must not reach it
    }
    cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Draftkv.root=" + System.getProperty("raftkv.root", "."),
        "-jar", opts().jar().toString(), "cluster", "view", "--data", l.dir().toString(),
        "--port-offset", Integer.toString(l.portOffset()), "--view-port",
        Integer.toString(port)));
    Path log = l.dir().resolve(LOG_FILE);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    Files.writeString(l.dir().resolve(PID_FILE), p.pid() + "\n");
    long deadline = System.nanoTime() + START_BUDGET.toNanos();
    while (!serving(port)) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new Clients.Failure("the view did not start; its log " + log + " ends:\n"
            + NodeProcesses.tailOf(log).map(t -> t.substring(Math.max(0, t.length() - 2000)))
            .orElse("(empty)"));
      }
      Thread.sleep(100);
    }
    out().println(url);
    out().println("the view runs in the background (pid " + p.pid() + ", log " + log
        + "); scripts/cluster stop stops it");
    return 0;
  }

  private static boolean serving(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The view process of this cluster directory, if one is running. */
  static Optional<ProcessHandle> running(Path dir) {
    try {
      Path pidFile = dir.resolve(PID_FILE);
      if (!Files.isRegularFile(pidFile)) {
        return Optional.empty();
      }
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> isView(pid));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** A recycled pid is never signalled: the process must be a cluster view. */
  private static boolean isView(long pid) {
    try {
      String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline"),
          StandardCharsets.UTF_8);
      return isViewCommand(List.of(cmdline.split("\0")));
    } catch (IOException e) {
      return true; // no /proc: trust the pid file
    }
  }

  /**
   * Whether a command line runs {@code cluster view}: the verb anywhere after "cluster", since
   * the shared options may come first ({@code scripts/cluster --data d view}).
   */
  static boolean isViewCommand(List<String> args) {
    int cluster = args.indexOf("cluster");
    return cluster >= 0 && args.subList(cluster + 1, args.size()).contains("view");
  }

  /** Stops this cluster's view, if one runs (SIGTERM; SIGKILL after 5 s). */
  static void stop(Path dir, PrintWriter out) throws Exception {
    Optional<ProcessHandle> p = running(dir);
    if (p.isPresent()) {
      boolean polite = NodeProcesses.stop(List.of(p.get()), Duration.ofSeconds(5));
      out.println("stopped the view (pid " + p.get().pid() + ")" + (polite ? ""
          : " with SIGKILL"));
    }
    Files.deleteIfExists(dir.resolve(PID_FILE));
  }

  private static void deleteIfOurs(Path pidFile, long pid) {
    try {
      if (Files.readString(pidFile).trim().equals(Long.toString(pid))) {
        Files.delete(pidFile);
      }
    } catch (IOException e) {
      // gone already
    }
  }
}
