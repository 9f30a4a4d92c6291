package raft.kv.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import raft.transport.LoopbackPorts;

/**
 * Real members (runtime, WAL on disk, peer transport, gRPC API) in this JVM, on free loopback
 * ports: the real server for tests of clients, without the cost of separate processes. A
 * cluster may be started with only some of its members, to see a cluster without a quorum.
 */
public final class InProcessCluster implements AutoCloseable {
  private final List<KvServer> servers = new ArrayList<>();
  private final List<String> endpoints = new ArrayList<>();

  /** Starts the first {@code running} of {@code members} members; the rest never start. */
  public InProcessCluster(int members, int running, Path dir) throws IOException {
    this(members, running, dir, ServerConfig.DEFAULT_AUTO_COMPACTION, 0, line -> { });
  }

  /**
   * As above, keeping the history {@code autoCompaction} says, with a space quota
   * of {@code quotaBackendBytes} (0: the default) and every member's log lines going to
   * {@code log}.
   */
  public InProcessCluster(int members, int running, Path dir, AutoCompaction autoCompaction,
      long quotaBackendBytes, java.util.function.Consumer<String> log) throws IOException {
    this(peerPorts(members), running, dir, autoCompaction, quotaBackendBytes, log, false);
  }

  /**
   * As above, each running member also serving /metrics, /health and /version over HTTP on a
   * free loopback port ({@link #metricsUrl}).
   */
  public static InProcessCluster withHttp(int members, int running, Path dir,
      long quotaBackendBytes, java.util.function.Consumer<String> log) throws IOException {
    return new InProcessCluster(peerPorts(members), running, dir,
        ServerConfig.DEFAULT_AUTO_COMPACTION, quotaBackendBytes, log, true);
  }

  /** Every member on the peer address {@code peers} gives it (n1, n2, ...), all running. */
  public InProcessCluster(Map<String, InetSocketAddress> peers, Path dir) throws IOException {
    this(peers, peers.size(), dir, ServerConfig.DEFAULT_AUTO_COMPACTION, 0, line -> { }, false);
  }

  /** Peer addresses for members n1..n{@code members}. */
  public static Map<String, InetSocketAddress> peerPorts(int members) {
    Map<String, InetSocketAddress> peers = new LinkedHashMap<>();
    for (int i = 1; i <= members; i++) {
      peers.put("n" + i, freePort());
    }
    return peers;
  }

  private InProcessCluster(Map<String, InetSocketAddress> peers, int running, Path dir,
      AutoCompaction autoCompaction, long quotaBackendBytes,
      java.util.function.Consumer<String> log, boolean http) throws IOException {
    int members = peers.size();
    Map<String, InetSocketAddress> clients = new LinkedHashMap<>();
    for (int i = 1; i <= members; i++) {
      clients.put("n" + i, freePort());
    }
    for (int i = 1; i <= running; i++) {
      String name = "n" + i;
      ServerConfig config = new ServerConfig(name, peers, clients.get(name), peers.get(name),
          dir.resolve(name), 20, 200, ServerConfig.DEFAULT_SNAPSHOT_COUNT,
          ServerConfig.DEFAULT_MAX_REQUEST_BYTES, autoCompaction, quotaBackendBytes,
          clients).withMetricsAddresses(http ? List.of(freePort()) : List.of());
      KvServer server = new KvServer(config, log);
      servers.add(server);
      server.start();
      endpoints.add("127.0.0.1:" + clients.get(name).getPort());
    }
  }

  /** The running members, n1 first. */
  public List<KvServer> servers() {
    return List.copyOf(servers);
  }

  /** http://host:port of member {@code i}'s (from 1) /metrics, /health and /version. */
  public String metricsUrl(int i) {
    InetSocketAddress a = servers.get(i - 1).metricsAddresses().get(0);
    return "http://" + a.getHostString() + ":" + a.getPort();
  }

  /** The client endpoints of the running members, comma-separated. */
  public String endpoints() {
    return String.join(",", endpoints);
  }

  /**
   * One member with TLS on its client and peer ports, client certificates required (the files
   * of {@code TestCerts.make(dir, 1)}), started and leading; the caller closes it.
   */
  public static KvServer tlsMember(Path dataDir, Path certs, InetSocketAddress client,
      List<InetSocketAddress> metrics, java.util.function.Consumer<String> log) throws Exception {
    InetSocketAddress peer = freePort();
    ServerConfig config = new ServerConfig("n1", Map.of("n1", peer), client, peer, dataDir, 20,
        200, ServerConfig.DEFAULT_SNAPSHOT_COUNT, ServerConfig.DEFAULT_MAX_REQUEST_BYTES,
        ServerConfig.DEFAULT_AUTO_COMPACTION, 0, Map.of()).withMetricsAddresses(metrics)
        .withTls(new raft.kv.tls.ServerTls(certs.resolve("n1.crt"), certs.resolve("n1.key"),
            certs.resolve("ca.crt"), true), new raft.transport.PeerTls(certs.resolve("n1.crt"),
            certs.resolve("n1.key"), certs.resolve("ca.crt"), true));
    KvServer server = new KvServer(config, log);
    server.start();
    awaitLeader(List.of(server));
    return server;
  }

  /** Waits (bounded) until some running member is leader; returns its member id. */
  public long awaitLeader() throws Exception {
    return awaitLeader(servers);
  }

  /** As {@link #awaitLeader()}, for members a test started itself. */
  public static long awaitLeader(List<KvServer> servers) throws Exception {
    java.util.concurrent.CompletableFuture<Long> leader =
        new java.util.concurrent.CompletableFuture<>();
    for (KvServer s : servers) {
      s.runtime().addLeaderListener((lead, term, isSelf) -> {
        if (isSelf) {
          leader.complete(lead);
        }
      });
      var st = s.runtime().status(); // it may have become leader before the listener was added
      if (st.role() == raft.core.StateRole.LEADER) {
        leader.complete(st.id());
      }
    }
    long lead = leader.get(10, java.util.concurrent.TimeUnit.SECONDS);
    // Listeners are told within a Raft loop batch and status() is published at its end, so a
    // caller could still see no leader in status() (/health did). A task queued now runs in a
    // later batch: once it has run, the leader's status() names itself.
    for (KvServer s : servers) {
      if (s.runtime().status().id() == lead) {
        // A stopped loop fails the task at once: nothing to wait for then.
        s.runtime().logTail(1).handle((tail, stopped) -> tail)
            .get(10, java.util.concurrent.TimeUnit.SECONDS);
      }
    }
    return lead;
  }

  /**
   * As {@link #awaitLeader()}, then waits (bounded) until every running member's MemberList
   * shows every running member with its client URL: each member publishes it through the log
   * after start (etcd's publish), an entry a test that counts entries or hashes would otherwise
   * see land mid-test. {@code scripts/cluster start} waits for the same.
   */
  public long awaitPublished() throws Exception {
    long lead = awaitLeader();
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
    for (String ep : endpoints) {
      io.grpc.ManagedChannel ch = io.grpc.ManagedChannelBuilder.forTarget(ep).usePlaintext()
          .build();
      try {
        while (!allPublished(ch)) {
          if (System.nanoTime() > deadline) {
            throw new AssertionError("not every member published its client URL at " + ep);
          }
          Thread.sleep(50);
        }
      } finally {
        ch.shutdownNow();
      }
    }
    return lead;
  }

  private boolean allPublished(io.grpc.ManagedChannel ch) {
    List<raft.kv.api.etcdserverpb.Member> members = raft.kv.api.etcdserverpb.ClusterGrpc
        .newBlockingStub(ch).withDeadlineAfter(5, java.util.concurrent.TimeUnit.SECONDS)
        .memberList(raft.kv.api.etcdserverpb.MemberListRequest.getDefaultInstance())
        .getMembersList();
    return members.stream().filter(m -> m.getClientURLsCount() > 0).count() >= servers.size();
  }

  /** A loopback address no other server in this JVM is given; see {@link LoopbackPorts}. */
  public static InetSocketAddress freePort() {
    return LoopbackPorts.next();
  }

  @Override
  public void close() {
    servers.forEach(KvServer::close);
  }
}
