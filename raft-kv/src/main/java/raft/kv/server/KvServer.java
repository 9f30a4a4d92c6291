package raft.kv.server;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.netty.util.HashedWheelTimer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import raft.core.StateRole;
import raft.kv.api.etcdserverpb.AlarmType;
import raft.kv.api.etcdserverpb.CompactionRequest;
import raft.kv.api.etcdserverpb.LeaseRevokeRequest;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.apply.KvStateMachine;
import raft.kv.pb.InternalRequest;
import raft.runtime.NodeRuntime;
import raft.transport.PeerTransport;

/**
 * One member: the Raft runtime (WAL, snapshots, the Raft loop), the peer transport, the
 * key-value state machine, and the etcd v3 gRPC API on the client address.
 */
public final class KvServer implements AutoCloseable {
  /** etcd's gRPC overhead allowance above --max-request-bytes. */
  private static final int GRPC_OVERHEAD_BYTES = 512 * 1024;

  private final ServerConfig config;
  private final Consumer<String> log;
  private final RequestTracker tracker;
  private final KvStateMachine stateMachine;
  private final PeerTransport transport;
  private final NodeRuntime runtime;
  private final LeaseTimer leaseTimer = new LeaseTimer(System::nanoTime, 2_000_000_000L);
  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
      r -> {
        Thread t = new Thread(r, "server-timers");
        t.setDaemon(true);
        return t;
      });
  // One thread; 20 ms ticks are fine grain for timeouts of seconds.
  private final HashedWheelTimer deadlineTimer = new HashedWheelTimer(r -> {
    Thread t = new Thread(r, "request-deadlines");
    t.setDaemon(true);
    return t;
  }, 20, TimeUnit.MILLISECONDS);
  private Server grpc;

  public KvServer(ServerConfig config, Consumer<String> log) throws IOException {
    this.config = config;
    this.log = log;
    this.tracker = new RequestTracker(config.memberId(), System.currentTimeMillis());
    // etcd's minimum lease TTL: long enough to survive a leader election.
    long minTtlSeconds = Math.max(2, (3 * config.electionMillis() / 2 + 999) / 1000);
    this.stateMachine = new KvStateMachine(minTtlSeconds,
        (id, index, result) -> tracker.applied(id, result), leaseListener());
    this.transport = new PeerTransport(config.memberId(), config.clusterId(),
        config.peerAddress(), peerAddresses(), PeerTransport.Options.defaults(log));
    long electionTicks = config.electionMillis() / config.heartbeatMillis();
    this.runtime = new NodeRuntime(new NodeRuntime.Options(config.memberId(), memberIds(),
        config.dataDir(), config.heartbeatMillis(), (int) electionTicks, 1,
        config.snapshotCount(), log), transport, stateMachine);
  }

  /** Runs a member until the process is stopped (SIGTERM stops it gracefully). */
  public static void run(ServerConfig config) throws Exception {
    String name = config.name();
    DateTimeFormatter hms = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    Consumer<String> log = line -> System.out.println(
        LocalTime.now().format(hms) + " " + name + ": " + line);
    KvServer server = new KvServer(config, log);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "shutdown"));
    server.start();
    server.grpc.awaitTermination();
  }

  public void start() throws IOException {
    Duration requestTimeout = Duration.ofMillis(5000 + 2 * config.electionMillis());
    SpaceQuota quota = new SpaceQuota(config.spaceQuotaBytes(), stateMachine.store(),
        stateMachine.alarms(), !config.autoCompaction().off());
    RaftGateway raft = new RaftGateway(runtime, tracker, config.maxRequestBytes(),
        new Deadlines(deadlineTimer, requestTimeout), quota, log);
    Headers headers = new Headers(config.clusterId(), config.memberId(), runtime,
        stateMachine.store());
    LeaderEvents leaders = new LeaderEvents(this::nameOf, log,
        () -> leaseTimer.promoted(leaseTtls()));
    runtime.addLeaderListener(leaders);
    runtime.start();
    grpc = NettyServerBuilder.forAddress(config.clientAddress())
        // Handlers never block (writes and linearizable reads return futures; local reads hold
        // the store's lock for microseconds), so they run on the Netty event loop: no hand-off
        // to a thread pool per call.
        .directExecutor()
        .maxInboundMessageSize(config.maxRequestBytes() + GRPC_OVERHEAD_BYTES)
        .addService(new KvService(raft, stateMachine.store(), headers))
        .addService(new WatchService(stateMachine.watchHub(), headers, timers,
            Duration.ofSeconds(5)))
        .addService(new LeaseService(raft, stateMachine.lessor(), leaseTimer, headers))
        .addService(new ClusterService(members(), headers))
        .addService(new MaintenanceService(runtime, raft, stateMachine, this::diskBytes,
            headers, memberIds(), leaders, requestTimeout.toMillis(), log))
        .addService(ServerInterceptors.intercept(
            new AdminService(config.name(), runtime, transport), new AdminService.LoopbackOnly()))
        .build();
    try {
      grpc.start();
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("client port " + hostPort(config.clientAddress())
          + " is in use or cannot be bound: " + e.getMessage(), e);
    }
    timers.scheduleWithFixedDelay(() -> expireLeases(raft), 250, 250, TimeUnit.MILLISECONDS);
    AutoCompactor compactor = new AutoCompactor(config.autoCompaction(), quota.quotaBytes());
    // Often: the size check must see a fast writer's history before it reaches the quota (a
    // check reads a few fields; a compaction is proposed only when one is due).
    timers.scheduleWithFixedDelay(() -> autoCompact(raft, compactor), 100, 100,
        TimeUnit.MILLISECONDS);
    log.accept("member " + config.memberId() + " of cluster "
        + Long.toHexString(config.clusterId()) + ": etcd v3 API on "
        + hostPort(config.clientAddress()) + ", peers on " + hostPort(config.peerAddress())
        + ", data in " + config.dataDir());
  }

  // Only the leader decides that a lease ran out; the revoke is an entry like any other.
  private void expireLeases(RaftGateway raft) {
    if (runtime.status().role() != StateRole.LEADER) {
      return;
    }
    leaseTimer.expire(id -> {
      log.accept("lease " + Long.toHexString(id) + " expired; proposing its revoke");
      raft.propose(InternalRequest.newBuilder()
          .setLeaseRevoke(LeaseRevokeRequest.newBuilder().setID(id)));
    });
  }

  // Only the leader compacts; the compaction is an entry like any other.
  private void autoCompact(RaftGateway raft, AutoCompactor compactor) {
    if (runtime.status().role() != StateRole.LEADER) {
      return;
    }
    long target = compactor.due(System.nanoTime() / 1_000_000, stateMachine.store(),
        stateMachine.alarms().isRaised(AlarmType.NOSPACE));
    if (target > 0) {
      raft.propose(InternalRequest.newBuilder()
          .setCompaction(CompactionRequest.newBuilder().setRevision(target)));
      log.accept("auto-compaction: proposed compacting history before revision " + target
          + " (" + compactor.reason() + ")");
    }
  }

  private Map<Long, Long> leaseTtls() {
    Map<Long, Long> ttls = new HashMap<>();
    for (long id : stateMachine.lessor().leaseIds()) {
      stateMachine.lessor().lookup(id).ifPresent(l -> ttls.put(id, l.grantedTtl()));
    }
    return ttls;
  }

  private raft.kv.lease.LeaseListener leaseListener() {
    return new raft.kv.lease.LeaseListener() {
      @Override
      public void granted(long id, long ttl) {
        leaseTimer.renewed(id, ttl);
      }

      @Override
      public void renewed(long id, long ttl) {
        leaseTimer.renewed(id, ttl);
      }

      @Override
      public void revoked(long id) {
        leaseTimer.revoked(id);
      }
    };
  }

  @Override
  public void close() {
    if (grpc != null) {
      grpc.shutdownNow();
    }
    timers.shutdownNow();
    deadlineTimer.stop();
    runtime.close();
    transport.close();
    tracker.failAll(Errors.stopped("shutting down"));
  }

  /** What `endpoint status` calls DB SIZE: this member's WAL and snapshot files. */
  private long diskBytes() {
    try (var files = java.nio.file.Files.walk(config.dataDir())) {
      return files.filter(java.nio.file.Files::isRegularFile)
          .mapToLong(f -> f.toFile().length()).sum();
    } catch (IOException | UncheckedIOException gone) {
      return 0;
    }
  }

  public NodeRuntime runtime() {
    return runtime;
  }

  private List<Long> memberIds() {
    List<Long> ids = new ArrayList<>();
    for (String n : config.initialClusterOrder()) {
      ids.add(config.memberId(n));
    }
    return ids;
  }

  private Map<Long, InetSocketAddress> peerAddresses() {
    Map<Long, InetSocketAddress> peers = new HashMap<>();
    for (String n : config.initialClusterOrder()) {
      if (!n.equals(config.name())) {
        peers.put(config.memberId(n), config.initialCluster().get(n));
      }
    }
    return peers;
  }

  private List<Member> members() {
    List<Member> list = new ArrayList<>();
    for (String n : config.initialClusterOrder()) {
      Member.Builder m = Member.newBuilder().setID(config.memberId(n)).setName(n)
          .addPeerURLs("http://" + hostPort(config.initialCluster().get(n)));
      InetSocketAddress client = config.clientUrls().get(n);
      if (client != null) {
        m.addClientURLs("http://" + hostPort(client));
      }
      list.add(m.build());
    }
    return list;
  }

  private String nameOf(long id) {
    for (String n : config.initialClusterOrder()) {
      if (config.memberId(n) == id) {
        return n;
      }
    }
    return "member " + id;
  }

  private static String hostPort(InetSocketAddress a) {
    return a.getHostString() + ":" + a.getPort();
  }
}
