package raft.jepsen.db;

import io.grpc.ManagedChannel;
import raft.jepsen.client.Dialer;
import raft.kv.client.ClientTls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import raft.kv.api.etcdserverpb.MaintenanceGrpc;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.api.etcdserverpb.MemberAddRequest;
import raft.kv.api.etcdserverpb.MemberAddResponse;
import raft.kv.api.etcdserverpb.MemberPromoteRequest;
import raft.kv.api.etcdserverpb.MemberRemoveRequest;
import raft.kv.api.etcdserverpb.StatusRequest;
import raft.kv.api.etcdserverpb.StatusResponse;

/**
 * A real etcd cluster (Debian's {@code etcd} binary) as the control: members e1..eN on
 * loopback, on the contract's ports shifted by the port offset, started, killed, paused and
 * restarted by this class. etcd has no hook to cut peers, so partitions are not offered.
 * Membership changes go through etcd's own Cluster API, as etcdctl's member commands do: a new
 * member is added as a learner, started with {@code --initial-cluster-state existing} and an
 * empty data dir, and promoted once etcd agrees it is in sync.
 * Also serves as the view onto foreign endpoints ({@link #external}): no process control.
 * With TLS ({@link #startTls}) every member runs with client and peer TLS, client certificates
 * required on both, from certificates scripts/tls-certs makes in {@code DATA/tls} (as our
 * {@code scripts/cluster start --tls}); with auth, {@link AuthSetup} once it has a leader.
 */
public final class EtcdDb implements Db {
  private static final int[] CLIENT_PORTS = {2379, 22379, 32379, 42379, 52379};
  private static final int[] PEER_PORTS = {12380, 22380, 32380, 42380, 52380};

  private final List<String> endpoints;
  private final Path data;
  private final int portOffset;
  private final Map<Integer, Process> procs = new HashMap<>();
  private final Map<Integer, ManagedChannel> channels = new HashMap<>();
  private final Set<Integer> members = new TreeSet<>();
  /** How each member was first launched: --initial-cluster and --initial-cluster-state. */
  private final Map<Integer, List<String>> joinFlags = new HashMap<>();
  private final MemberClient memberClient;
  private final Path certs; // DATA/tls with TLS, else null
  private final Dialer transport;
  private volatile AuthSetup.Users users;

  private EtcdDb(List<String> endpoints, Path data, int portOffset) {
    this(endpoints, data, portOffset, null);
  }

  private EtcdDb(List<String> endpoints, Path data, int portOffset, Path certs) {
    this.endpoints = endpoints;
    this.data = data;
    this.portOffset = portOffset;
    this.certs = certs;
    this.transport = Dialer.tls(certs == null ? ClientTls.NONE : new ClientTls(
        certs.resolve("ca.crt"), certs.resolve("client.crt"), certs.resolve("client.key"),
        false));
    int[] peers = new int[endpoints.size()];
    for (int k = 1; k <= peers.length; k++) {
      peers[k - 1] = PEER_PORTS[k - 1] + portOffset;
    }
    this.memberClient = new MemberClient(endpoints, peers, ep -> adminDialer().dial(ep));
    for (int k = 1; k <= endpoints.size(); k++) {
      members.add(k);
    }
  }

  /** Foreign endpoints: the harness runs its clients against them and touches nothing else. */
  public static EtcdDb external(List<String> endpoints) {
    return new EtcdDb(List.copyOf(endpoints), null, 0);
  }

  /** Starts an n-member etcd from empty data under {@code data}; returns once it has a leader. */
  public static EtcdDb start(Path data, int nodes, int portOffset) throws Exception {
    return start(data, nodes, nodes, portOffset);
  }

  /**
   * As above, with endpoints for {@code capacity} nodes of which the first {@code nodes} are
   * members: room for the member nemesis to grow the cluster.
   */
  public static EtcdDb start(Path data, int nodes, int capacity, int portOffset)
      throws Exception {
    return start(data, nodes, capacity, portOffset, null);
  }

  /**
   * As above, with TLS on client and peer ports: {@code certsScript} (scripts/tls-certs)
   * makes the CA and certificates in {@code data/tls}.
   */
  public static EtcdDb startTls(Path data, int nodes, int capacity, int portOffset,
      Path certsScript) throws Exception {
    return start(data, nodes, capacity, portOffset, certsScript);
  }

  private static EtcdDb start(Path data, int nodes, int capacity, int portOffset,
      Path certsScript) throws Exception {
    List<String> eps = new ArrayList<>();
    for (int k = 1; k <= capacity; k++) {
      eps.add("127.0.0.1:" + (CLIENT_PORTS[k - 1] + portOffset));
    }
    Path dir = data.toAbsolutePath().normalize();
    EtcdDb db = new EtcdDb(eps, dir, portOffset, certsScript == null ? null
        : dir.resolve("tls"));
    deleteTree(db.data);
    Files.createDirectories(db.data);
    if (certsScript != null) {
      Procs.Result r = Procs.run(List.of(certsScript.toString(), db.certs.toString(),
          "--nodes", "5"), 120);
      if (r.exit() != 0) {
        throw new IOException(certsScript + " failed: " + r.out());
      }
    }
    List<String> initial = new ArrayList<>();
    for (int k = 1; k <= nodes; k++) {
      initial.add("e" + k + "=" + db.peerUrl(k));
    }
    db.members.removeIf(k -> k > nodes);
    for (int k = 1; k <= nodes; k++) {
      db.joinFlags.put(k, List.of("--initial-cluster", String.join(",", initial),
          "--initial-cluster-state", "new"));
      db.launch(k);
    }
    db.awaitLeader(30_000);
    return db;
  }

  /** With TLS ({@link #startTls}), auth enabled as {@link AuthSetup} does; call once. */
  public EtcdDb enableAuth() {
    users = AuthSetup.enable(transport, endpoints.get(Math.max(leader(), 1) - 1));
    channels.values().forEach(ManagedChannel::shutdownNow); // dialed without a token
    channels.clear();
    return this;
  }

  /** With auth, what proved it in force when it was enabled; empty without. */
  public String authProof() {
    AuthSetup.Users u = users;
    return u == null ? "" : u.proof();
  }

  @Override
  public Dialer dialer() {
    AuthSetup.Users u = users;
    return u == null ? transport : u.user();
  }

  @Override
  public Dialer adminDialer() {
    AuthSetup.Users u = users;
    return u == null ? transport : u.root();
  }

  private String scheme() {
    return certs == null ? "http" : "https";
  }

  private String peerUrl(int k) {
    return scheme() + "://127.0.0.1:" + (PEER_PORTS[k - 1] + portOffset);
  }

  /** etcd's TLS flags for member k: its certificate on both ports, client certs required. */
  private List<String> tlsFlags(int k) {
    if (certs == null) {
      return List.of();
    }
    String cert = certs.resolve("n" + k + ".crt").toString();
    String key = certs.resolve("n" + k + ".key").toString();
    String ca = certs.resolve("ca.crt").toString();
    return List.of("--cert-file", cert, "--key-file", key, "--trusted-ca-file", ca,
        "--client-cert-auth", "--peer-cert-file", cert, "--peer-key-file", key,
        "--peer-trusted-ca-file", ca, "--peer-client-cert-auth");
  }

  private void launch(int k) throws IOException {
    String client = scheme() + "://" + endpoints.get(k - 1);
    List<String> cmd = new ArrayList<>(List.of("etcd", "--name", "e" + k,
        "--data-dir", data.resolve("e" + k).toString(),
        "--listen-client-urls", client, "--advertise-client-urls", client,
        "--listen-peer-urls", peerUrl(k), "--initial-advertise-peer-urls", peerUrl(k),
        "--initial-cluster-token", "jepsen-" + portOffset,
        "--heartbeat-interval", "100", "--election-timeout", "1000"));
    cmd.addAll(joinFlags.get(k));
    cmd.addAll(tlsFlags(k));
    Path log = data.resolve("e" + k + ".log");
    procs.put(k, new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start());
  }

  private void awaitLeader(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    while (System.nanoTime() < deadline) {
      if (leader() != 0) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("etcd elected no leader within " + millis + " ms; logs in "
        + data);
  }

  @Override
  public List<String> endpoints() {
    return endpoints;
  }

  @Override
  public boolean controlsProcesses() {
    return data != null;
  }

  @Override
  public boolean supportsPartitions() {
    return false;
  }

  /** Asks each member for its status; the leader is the one whose own id is the leader id. */
  @Override
  public int leader() {
    for (int k = 1; k <= endpoints.size(); k++) {
      ManagedChannel ch = channels.computeIfAbsent(k, n -> adminDialer()
          .dial(endpoints.get(n - 1)));
      ch.resetConnectBackoff();
      try {
        StatusResponse s = MaintenanceGrpc.newBlockingStub(ch)
            .withDeadlineAfter(700, TimeUnit.MILLISECONDS).status(StatusRequest.getDefaultInstance());
        if (s.getLeader() != 0 && s.getLeader() == s.getHeader().getMemberId()) {
          return k;
        }
      } catch (RuntimeException downOrPaused) {
        // not this one
      }
    }
    return 0;
  }

  private Process proc(int k) {
    if (!controlsProcesses()) {
      throw new UnsupportedOperationException("foreign endpoints: no process control");
    }
    return procs.get(k);
  }

  @Override
  public void kill(int k) throws Exception {
    Process p = proc(k);
    if (p != null && p.isAlive()) {
      Procs.killAndWait(p.pid());
    }
  }

  @Override
  public void restart(int k) throws Exception {
    Process p = proc(k);
    if (p != null && p.isAlive()) {
      return;
    }
    launch(k);
  }

  @Override
  public void pause(int k) throws Exception {
    Process p = proc(k);
    if (p != null && p.isAlive()) {
      Procs.signal(p.pid(), "STOP");
    }
  }

  @Override
  public void resume(int k) throws Exception {
    Process p = proc(k);
    if (p != null && p.isAlive()) {
      Procs.signal(p.pid(), "CONT");
    }
  }

  @Override
  public void cut(Map<Integer, Set<Integer>> cutsPerMember) {
    throw new UnsupportedOperationException("etcd has no partition hook; run without partition");
  }

  @Override
  public boolean supportsMembership() {
    return controlsProcesses();
  }

  @Override
  public synchronized Set<Integer> members() {
    return Set.copyOf(members);
  }

  /** MemberRemove (asked of the other members first), then stop it and delete its data. */
  @Override
  public void removeMember(int k) throws Exception {
    List<Integer> others = new ArrayList<>(members);
    others.remove(Integer.valueOf(k));
    others.add(k);
    Long id = memberClient.ids(others).get(k);
    if (id == null) {
      throw new IllegalStateException("e" + k + " is not in etcd's member list");
    }
    memberClient.call("member remove e" + k, others, 30_000, s -> s.memberRemove(
        MemberRemoveRequest.newBuilder().setID(id).build()));
    synchronized (this) {
      members.remove(k);
    }
    Process p = procs.get(k);
    if (p != null && p.isAlive()) {
      Procs.signal(p.pid(), "CONT");
      Procs.killAndWait(p.pid());
    }
    deleteTree(data.resolve("e" + k));
  }

  /** MemberAdd as a learner, launch it empty with state existing, promote once in sync. */
  @Override
  public void addMember(int k) throws Exception {
    List<Integer> asked = new ArrayList<>(members);
    MemberAddResponse r = memberClient.call("member add e" + k, asked, 30_000,
        s -> s.memberAdd(MemberAddRequest.newBuilder().addPeerURLs(peerUrl(k))
            .setIsLearner(true).build()));
    List<String> initial = new ArrayList<>();
    for (Member m : r.getMembersList()) {
      initial.add("e" + memberClient.nodeOf(m) + "=" + m.getPeerURLs(0));
    }
    deleteTree(data.resolve("e" + k));
    joinFlags.put(k, List.of("--initial-cluster", String.join(",", initial),
        "--initial-cluster-state", "existing"));
    launch(k);
    long id = r.getMember().getID();
    memberClient.call("member promote e" + k, asked, 60_000, s -> s.memberPromote(
        MemberPromoteRequest.newBuilder().setID(id).build()));
    synchronized (this) {
      members.add(k);
    }
  }

  @Override
  public void healAll() throws Exception {
    if (!controlsProcesses()) {
      return;
    }
    for (int k : members()) {
      Process p = procs.get(k);
      if (p != null && p.isAlive()) {
        Procs.signal(p.pid(), "CONT");
      } else {
        launch(k);
      }
    }
  }

  /** Stops the members this class started and deletes their data (a control run keeps none). */
  @Override
  public void close() throws Exception {
    channels.values().forEach(ManagedChannel::shutdownNow);
    memberClient.close();
    if (!controlsProcesses()) {
      return;
    }
    for (Process p : procs.values()) {
      if (p.isAlive()) {
        Procs.signal(p.pid(), "CONT");
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          Procs.killAndWait(p.pid());
        }
      }
    }
    deleteTree(data);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
