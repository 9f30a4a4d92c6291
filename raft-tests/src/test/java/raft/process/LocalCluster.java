package raft.process;

import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import raft.kv.pb.AdminGrpc;
import raft.kv.pb.NodeStatusRequest;
import raft.kv.pb.NodeStatusResponse;

/**
 * A real local cluster of separate JVM processes, driven only through the local-cluster
 * contract (scripts/cluster's verbs, run from the built jar) and the client ports, like a
 * user would. Each test class uses its own port offset and data directory, so it never
 * touches a cluster a developer has running on the default ports. Offsets stay at or below 385
 * (10 stalled watchers, 30 response memory, 40 and 45 data directories, 50 stopped members,
 * 60 long loads, 70 peer-port flood and install-etcd, 100 etcdctl, 120 and 130 member commands,
 * 150 Jepsen, 160 and 170 membership, 180 demos, 190 Jepsen members, 200 kill-all, 210 metrics,
 * 215 and 230 metrics against etcd, 220 the live view, 250 teeth, 290 TLS (the launcher, then
 * Jepsen with TLS and auth), 300, 350, 370 and
 * 400 single members) so that every port of a 3-node cluster, n3's metrics port (client port + 2)
 * included, is below the kernel's ephemeral range (32768 and up): a port in that range can
 * already be held by some outgoing connection when the member starts.
 */
final class LocalCluster implements AutoCloseable {
  static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  static final Path JAR = REPO.resolve("raft-kv/target/raftkv.jar");
  private static final int[] CLIENT_PORTS = {2379, 22379, 32379, 42379, 52379};

  final int nodes;
  final int portOffset;
  final Path data;
  private final List<ManagedChannel> channels = new ArrayList<>();
  private String serverFlags = "";
  private String jvmOpts = "";
  private boolean tls;
  private String startOutput = "";
  private final Map<String, String> env = new HashMap<>();

  LocalCluster(int nodes, int portOffset, String name) {
    this.nodes = nodes;
    this.portOffset = portOffset;
    this.data = REPO.resolve("raft-tests/target/clusters/" + name);
  }

  /** Extra `raftkv server` flags for every member (scripts/cluster's RAFTKV_SERVER_FLAGS). */
  LocalCluster withServerFlags(String flags) {
    this.serverFlags = flags;
    return this;
  }

  /** JVM options for every member instead of the defaults (scripts/cluster's RAFTKV_NODE_JVM_OPTS). */
  LocalCluster withJvmOpts(String opts) {
    this.jvmOpts = opts;
    // An AOT cache is made per set of options (a 20-45 s training run at the first start); a
    // test's own options would train one for a single use, so those members go without.
    env.put("RAFTKV_NODE_AOT", "off");
    return this;
  }

  /** An environment variable for the cluster verbs, e.g. RAFTKV_NODE_JAVA (which java runs members). */
  LocalCluster withEnv(String name, String value) {
    env.put(name, value);
    return this;
  }

  /**
   * TLS on every client and peer port ({@code start --tls}: certificates made in {@code
   * data/tls}); {@link #channel}, {@link #statuses} and {@link #etcdctl} then present the
   * cluster's client certificate, and endpoints are https://.
   */
  LocalCluster withTls() {
    this.tls = true;
    return this;
  }

  /** What {@code start} printed (the endpoints and the commands to try). */
  String startOutput() {
    return startOutput;
  }

  /** The CA and client certificate a TLS cluster's clients present; NONE for a plain one. */
  raft.kv.client.ClientTls clientTls() {
    if (!tls) {
      return raft.kv.client.ClientTls.NONE;
    }
    Path t = data.resolve("tls");
    return new raft.kv.client.ClientTls(t.resolve("ca.crt"), t.resolve("client.crt"),
        t.resolve("client.key"), false);
  }

  /** Starts the cluster from empty data; returns once a leader is elected. */
  LocalCluster start() throws Exception {
    return start(List.of());
  }

  /** Starts a new cluster from a backup (start --restore); returns once a leader is elected. */
  LocalCluster startFrom(Path backup) throws Exception {
    return start(List.of("--restore", backup.toString()));
  }

  private LocalCluster start(List<String> startFlags) throws Exception {
    cluster("clean");
    List<String> args = new ArrayList<>(List.of("--nodes", String.valueOf(nodes)));
    args.addAll(startFlags);
    if (tls) {
      args.add("--tls");
    }
    Result r = cluster("start", args.toArray(String[]::new));
    if (r.exit != 0) {
      throw new IllegalStateException("cluster start " + args + " failed:\n" + r.out);
    }
    startOutput = r.out;
    return this;
  }

  /** Runs a scripts/cluster verb on this cluster (same --data and --port-offset). */
  Result cluster(String verb, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("java", "-jar", JAR.toString(), "cluster", verb));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--data", data.toString(), "--port-offset", String.valueOf(portOffset)));
    Map<String, String> env = new HashMap<>(this.env);
    env.put("RAFTKV_SERVER_FLAGS", serverFlags);
    if (!jvmOpts.isEmpty()) {
      env.put("RAFTKV_NODE_JVM_OPTS", jvmOpts);
    }
    return run(cmd, null, 120, env);
  }

  String endpoint(int node) {
    return (tls ? "https://" : "") + "127.0.0.1:" + (CLIENT_PORTS[node - 1] + portOffset);
  }

  /** Node's HTTP (/metrics, /health, /version): its client port + 2, as scripts/cluster. */
  String metricsUrl(int node) {
    return "http://127.0.0.1:" + (CLIENT_PORTS[node - 1] + 2 + portOffset);
  }

  String endpoints() {
    List<String> eps = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      eps.add(endpoint(i));
    }
    return String.join(",", eps);
  }

  ManagedChannel channel(int node) {
    ManagedChannel c = raft.kv.client.Clients.dial(endpoint(node), clientTls());
    channels.add(c);
    return c;
  }

  /** Node statuses through the admin service; a node that does not answer is left out. */
  List<NodeStatusResponse> statuses() {
    List<NodeStatusResponse> out = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      ManagedChannel c = channel(i);
      try {
        out.add(AdminGrpc.newBlockingStub(c).withDeadlineAfter(1, TimeUnit.SECONDS)
            .nodeStatus(NodeStatusRequest.getDefaultInstance()));
      } catch (RuntimeException down) {
        // a killed or paused node
      } finally {
        c.shutdownNow();
        channels.remove(c);
      }
    }
    return out;
  }

  /** The node number (1-based) that a majority of answering nodes name as leader, or 0. */
  int leader() {
    List<NodeStatusResponse> st = statuses();
    for (NodeStatusResponse s : st) {
      if ("leader".equals(s.getRole())) {
        return (int) s.getId();
      }
    }
    return 0;
  }

  /** Waits (bounded) until some node is leader and is not {@code not}; returns it. */
  int awaitLeader(int not, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    while (System.nanoTime() < deadline) {
      int l = leader();
      if (l != 0 && l != not) {
        return l;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no leader (other than n" + not + ") within " + timeoutMillis
        + " ms; statuses: " + statuses());
  }

  /** Runs real etcdctl 3.4 against this cluster's endpoints. */
  Result etcdctl(String stdin, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("etcdctl", "--endpoints=" + endpoints(),
        "--command-timeout=15s"));
    raft.kv.client.ClientTls t = clientTls();
    if (tls) {
      cmd.addAll(List.of("--cacert=" + t.cacert(), "--cert=" + t.cert(), "--key=" + t.key()));
    }
    cmd.addAll(List.of(args));
    return run(cmd, stdin, 30);
  }

  static Result run(List<String> cmd, String stdin, long timeoutSeconds) throws Exception {
    return run(cmd, stdin, timeoutSeconds, Map.of());
  }

  static Result run(List<String> cmd, String stdin, long timeoutSeconds, Map<String, String> env)
      throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("ETCDCTL_API", "3");
    pb.environment().putAll(env);
    Process p = pb.start();
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    p.getOutputStream().close();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(cmd + " did not finish in " + timeoutSeconds + " s");
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(p.exitValue(), out);
  }

  String log(int node) throws IOException {
    Path f = data.resolve("n" + node + ".log");
    return Files.exists(f) ? Files.readString(f) : "(no log at " + f + ")";
  }

  @Override
  public void close() throws Exception {
    channels.forEach(ManagedChannel::shutdownNow);
    cluster("stop");
  }

  record Result(int exit, String out) {
    @Override
    public String toString() {
      return "exit " + exit + ":\n" + out;
    }
  }
}
