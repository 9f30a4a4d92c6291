package raft.jepsen.db;

import io.grpc.ManagedChannel;
import raft.jepsen.client.Dialer;
import raft.kv.client.ClientTls;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import raft.kv.pb.AdminGrpc;
import raft.kv.pb.NodeStatusRequest;
import raft.kv.pb.NodeStatusResponse;
import raft.kv.pb.PartitionRequest;

/**
 * Our own cluster, driven through the local-cluster contract: the launcher's verbs
 * ({@code java -jar raftkv.jar cluster VERB --data DIR --port-offset N}) for start, restart,
 * heal and stop; signals to the pids in {@code DIR/nK.pid} for kill and pause (quicker than a
 * JVM per verb, so fault windows start when the schedule says); and the loopback Admin service
 * for status and per-member cut sets (which is how a bridge is built). Membership changes are
 * the launcher's add and remove verbs (etcd's member API underneath); member ids come from the
 * member list, by peer URL (ids are the cluster's, not a node's position). With TLS the
 * launcher starts it with {@code start --tls} (which records it, so every later verb uses TLS by
 * itself) and every channel here presents the launcher's client certificate, {@code
 * DIR/tls/client.crt}. With auth ({@link #withAuth}), once started it gets a root user and a
 * user for the run's keys and auth is enabled ({@link AuthSetup}); clients then run as that
 * user, and this class's own calls (Admin, the member API) as root.
 */
public final class RaftKvDb implements Db {
  private static final int[] CLIENT_PORTS = {2379, 22379, 32379, 42379, 52379};
  private static final int[] PEER_PORTS = {12380, 22380, 32380, 42380, 52380};
  private static final long LAUNCHER_TIMEOUT_SECONDS = 180;

  private final Path jar;
  private final Path data;
  private final int portOffset;
  private final int nodes;
  private final int capacity;
  private final Map<Integer, ManagedChannel> admin = new HashMap<>();
  private final Set<Integer> members = new TreeSet<>();
  private final MemberClient memberClient;
  private final boolean tls;
  private final Dialer transport; // plain or TLS, no token
  private boolean auth;
  private volatile AuthSetup.Users users; // set once auth is enabled

  public RaftKvDb(Path jar, Path data, int nodes, int portOffset) {
    this(jar, data, nodes, nodes, portOffset);
  }

  public RaftKvDb(Path jar, Path data, int nodes, int capacity, int portOffset) {
    this(jar, data, nodes, capacity, portOffset, false);
  }

  /**
   * {@code nodes} members to start with, endpoints for {@code capacity} (room for the member
   * nemesis to grow the cluster).
   */
  public RaftKvDb(Path jar, Path data, int nodes, int capacity, int portOffset, boolean tls) {
    this.jar = jar;
    this.data = data.toAbsolutePath().normalize();
    this.nodes = nodes;
    this.capacity = capacity;
    this.portOffset = portOffset;
    int[] peers = new int[capacity];
    for (int k = 1; k <= capacity; k++) {
      peers[k - 1] = PEER_PORTS[k - 1] + portOffset;
      if (k <= nodes) {
        members.add(k);
      }
    }
    this.tls = tls;
    Path certs = this.data.resolve("tls");
    this.transport = Dialer.tls(tls ? new ClientTls(certs.resolve("ca.crt"),
        certs.resolve("client.crt"), certs.resolve("client.key"), false) : ClientTls.NONE);
    this.memberClient = new MemberClient(endpoints(), peers, ep -> adminDialer().dial(ep));
  }

  /** Enables auth once started (before {@link #start}). */
  public RaftKvDb withAuth() {
    this.auth = true;
    return this;
  }

  @Override
  public Dialer dialer() {
    AuthSetup.Users u = users;
    return u == null ? transport : u.user();
  }

  /** With auth, what proved it in force when it was enabled; empty without. */
  public String authProof() {
    AuthSetup.Users u = users;
    return u == null ? "" : u.proof();
  }

  @Override
  public Dialer adminDialer() {
    AuthSetup.Users u = users;
    return u == null ? transport : u.root();
  }

  /** Starts the cluster from empty data; returns once a leader is elected. */
  public RaftKvDb start() throws Exception {
    // Without --port-offset, clean takes whatever cluster DIR holds, on whatever offset.
    run(List.of("clean", "--data", data.toString()));
    if (tls) {
      launcher("start", "--nodes", Integer.toString(nodes), "--tls");
    } else {
      launcher("start", "--nodes", Integer.toString(nodes));
    }
    if (auth) {
      users = AuthSetup.enable(transport, endpoints().get(Math.max(leader(), 1) - 1));
      admin.values().forEach(ManagedChannel::shutdownNow); // dialed without a token
      admin.clear();
    }
    return this;
  }

  private String launcher(String verb, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(verb));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--data", data.toString(), "--port-offset", Integer.toString(portOffset)));
    return run(cmd);
  }

  private String run(List<String> verbAndArgs) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("java", "-jar", jar.toString(), "cluster"));
    cmd.addAll(verbAndArgs);
    String verb = verbAndArgs.get(0);
    Procs.Result r = Procs.run(cmd, LAUNCHER_TIMEOUT_SECONDS);
    if (r.exit() != 0) {
      throw new IOException("cluster " + verb + " failed (exit " + r.exit() + "):\n" + r.out());
    }
    return r.out();
  }

  @Override
  public List<String> endpoints() {
    List<String> eps = new ArrayList<>();
    for (int k = 1; k <= capacity; k++) {
      eps.add("127.0.0.1:" + (CLIENT_PORTS[k - 1] + portOffset));
    }
    return eps;
  }

  @Override
  public boolean controlsProcesses() {
    return true;
  }

  /**
   * Our server answers "no leader" only when Raft dropped the proposal before it entered any
   * log (NodeRuntime.propose: node.propose returned false), so it cannot commit later.
   */
  @Override
  public boolean noLeaderMeansDropped() {
    return true;
  }

  @Override
  public boolean supportsPartitions() {
    return true;
  }

  private AdminGrpc.AdminBlockingStub admin(int k) {
    ManagedChannel ch = admin.computeIfAbsent(k, n -> adminDialer().dial(endpoints()
        .get(n - 1)));
    ch.resetConnectBackoff(); // a restarted member refused us a moment ago; do not back off
    return AdminGrpc.newBlockingStub(ch).withDeadlineAfter(700, TimeUnit.MILLISECONDS);
  }

  /** The node that answers as leader (asked itself, so no member id is needed). */
  @Override
  public int leader() {
    for (int k : members()) {
      if (Procs.livePid(pidFile(k)) == 0) {
        continue;
      }
      try {
        NodeStatusResponse s = admin(k).nodeStatus(NodeStatusRequest.getDefaultInstance());
        if ("leader".equals(s.getRole())) {
          return k;
        }
      } catch (RuntimeException downOrPaused) {
        // not this one
      }
    }
    return 0;
  }

  private Path pidFile(int k) {
    return data.resolve("n" + k + ".pid");
  }

  @Override
  public void kill(int k) throws Exception {
    long pid = Procs.livePid(pidFile(k));
    if (pid != 0) {
      Procs.killAndWait(pid);
    }
  }

  @Override
  public void restart(int k) throws Exception {
    launcher("restart", "n" + k);
  }

  @Override
  public void pause(int k) throws Exception {
    long pid = Procs.livePid(pidFile(k));
    if (pid != 0) {
      Procs.signal(pid, "STOP");
    }
  }

  @Override
  public void resume(int k) throws Exception {
    long pid = Procs.livePid(pidFile(k));
    if (pid != 0) {
      Procs.signal(pid, "CONT");
    }
  }

  @Override
  public void cut(Map<Integer, Set<Integer>> cutsPerMember) {
    // Cut sets name member ids; without a member list, member k is node nK (the old rule).
    Map<Integer, Long> ids = memberClient.ids(members());
    cutsPerMember.forEach((k, cut) -> {
      try {
        admin(k).partition(PartitionRequest.newBuilder().addAllCutPeers(cut.stream()
            .map(n -> ids.getOrDefault(n, (long) n)).toList()).build());
      } catch (RuntimeException downOrPaused) {
        // a down member restarts unpartitioned; a paused one is healed at the end
      }
    });
  }

  @Override
  public boolean supportsMembership() {
    return true;
  }

  @Override
  public synchronized Set<Integer> members() {
    return Set.copyOf(members);
  }

  /** The launcher's remove: MemberRemove, stop, data moved aside. */
  @Override
  public void removeMember(int k) throws Exception {
    launcher("remove", "n" + k);
    synchronized (this) {
      members.remove(k);
    }
  }

  /** The launcher's add: a learner with an empty data dir, caught up, promoted. */
  @Override
  public void addMember(int k) throws Exception {
    try {
      launcher("add", "n" + k);
    } finally {
      // A failed add may have left it a learner or started; the launcher's record says.
      synchronized (this) {
        if (isLaunchersMember(k)) {
          members.add(k);
        }
      }
    }
  }

  private boolean isLaunchersMember(int k) throws IOException {
    java.util.Properties p = new java.util.Properties();
    try (var r = java.nio.file.Files.newBufferedReader(data.resolve("members.properties"))) {
      p.load(r);
    }
    return List.of(p.getProperty("members", "").split(",")).contains("n" + k);
  }

  @Override
  public void healAll() throws Exception {
    // heal's Admin calls have a short deadline; on two busy cores a member can miss it, and
    // heal is idempotent, so try again.
    for (int attempt = 1; ; attempt++) {
      try {
        launcher("heal");
        return;
      } catch (IOException e) {
        if (attempt == 5) {
          throw e;
        }
        Thread.sleep(1000);
      }
    }
  }

  @Override
  public void close() throws Exception {
    admin.values().forEach(ManagedChannel::shutdownNow);
    memberClient.close();
    launcher("stop");
  }
}
