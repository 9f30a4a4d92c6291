package raft.kv.server;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
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
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.stream.Collectors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import raft.core.StateRole;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import raft.kv.api.etcdserverpb.AlarmMember;
import raft.kv.api.etcdserverpb.AlarmType;
import raft.kv.api.etcdserverpb.CompactionRequest;
import raft.kv.api.etcdserverpb.LeaseRevokeRequest;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.apply.ApplyResult;
import raft.kv.apply.KvStateMachine;
import raft.kv.gateway.ClientPortNegotiator;
import raft.kv.gateway.Gateway;
import raft.kv.http.EtcdMetrics;
import raft.kv.http.GrpcMetrics;
import raft.kv.http.Health;
import raft.kv.http.HttpRoutes;
import raft.kv.http.LeaderChanges;
import raft.kv.http.MetricsHttpServer;
import raft.kv.pb.InternalRequest;
import raft.kv.pb.KvState;
import raft.kv.pb.MemberChange;
import raft.pb.ConfChange;
import raft.pb.ConfChangeType;
import raft.runtime.Failure;
import raft.runtime.NodeRuntime;
import raft.storage.MemberIdentity;
import raft.storage.durable.DataDirCheck;
import raft.storage.durable.DataDirLock;
import raft.transport.NettyIo;
import raft.transport.PeerTransport;

/**
 * One member: the Raft runtime (WAL, snapshots, the Raft loop), the peer transport, the
 * key-value state machine, and the etcd v3 gRPC API on the client address.
 */
public final class KvServer implements AutoCloseable {
  /** etcd's gRPC overhead allowance above --max-request-bytes. */
  private static final int GRPC_OVERHEAD_BYTES = 512 * 1024;
  /** Responses that may wait for the response budget at once, and for how long at most. */
  private static final int RESPONSES_WAITING = 64;
  private static final Duration RESPONSE_WAIT = Duration.ofSeconds(60);

  /** etcd's HealthInterval: a peer counts as connected once connected for this long. */
  static final Duration HEALTH_INTERVAL = Duration.ofSeconds(5);

  private final ServerConfig config;
  private final Consumer<String> log;
  private final MemberIdentity identity;
  private final boolean joined;
  /** How this member stops once removed from the cluster: a process exits (FatalExit). */
  private volatile Consumer<String> removedStop;
  private final RequestTracker tracker = new RequestTracker();
  private final AuthApi auth = new AuthApi();
  private final ProposalIds ids;
  private final KvStateMachine stateMachine;
  private final PeerTransport transport;
  private final NodeRuntime runtime;
  private final LeaseTimer leaseTimer = new LeaseTimer(System::nanoTime, 2_000_000_000L);
  private final ScheduledThreadPoolExecutor timers = timerThread();
  // One thread; 20 ms ticks are fine grain for timeouts of seconds.
  private final HashedWheelTimer deadlineTimer = new HashedWheelTimer(r -> {
    Thread t = new Thread(r, "request-deadlines");
    t.setDaemon(true);
    return t;
  }, 20, TimeUnit.MILLISECONDS);
  private final DataDirLock dataDirLock;
  // Serializes large responses one at a time, off the apply thread and the event loops.
  private final ExecutorService largeSends = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "large-responses");
    t.setDaemon(true);
    return t;
  });
  private Server grpc;
  private Server gatewayServer;
  private ManagedChannel gatewayChannel;
  private ClientPortNegotiator negotiator;
  private LeaderForward forward;
  private final PrometheusRegistry metrics = new PrometheusRegistry();
  private final LeaderChanges leaderChanges = new LeaderChanges();
  private volatile MetricsHttpServer http;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * The largest frame a peer may send after its Hello, which bounds the memory one peer
   * connection can make this member hold (about twice this: Netty's buffer grows by doubling).
   * The largest legitimate frames: an append or a forwarded proposal batch carries at most 1 MiB
   * of entries, or one entry of a request of at most --max-request-bytes; a snapshot travels
   * whole up to 1 MiB, else in 1 MiB chunks. One MiB more covers every envelope.
   */
  static int peerFrameBytes(int maxRequestBytes) {
    long mib = 1 << 20;
    return (int) Math.min(Math.max(maxRequestBytes, mib) + mib, Integer.MAX_VALUE - mib);
  }

  /**
   * Locks the data directory, checks it and recovers from it; nothing is bound or answered
   * yet. Refuses, with a message saying why, a directory that another process holds, that
   * cannot be written, or that belongs to another member or cluster.
   */
  public KvServer(ServerConfig config, Consumer<String> log) throws IOException {
    // First of all: a second process on a running member's directory must not touch it.
    this(config, log, DataDirLock.acquire(config.dataDir(), "member " + config.name()));
  }

  private KvServer(ServerConfig config, Consumer<String> log, DataDirLock lock)
      throws IOException {
    this.config = config;
    this.log = log;
    this.dataDirLock = lock;
    this.removedStop = why -> new Thread(this::close, "removed").start();
    Joining.Identity who;
    try {
      who = Joining.resolve(config, log);
    } catch (IOException | RuntimeException e) {
      closeQuietly(lock);
      throw e;
    }
    this.identity = who.ids();
    this.joined = who.joined();
    // etcd's minimum lease TTL: long enough to survive a leader election.
    long minTtlSeconds = Math.max(2, (3 * config.electionMillis() / 2 + 999) / 1000);
    this.stateMachine = new KvStateMachine(minTtlSeconds,
        (id, index, result) -> tracker.applied(id, result), leaseListener(), auth.tokens());
    this.transport = new PeerTransport(memberId(), clusterId(), config.peerAddress(),
        initialPeers(who), PeerTransport.Options.defaults(log)
            .withMaxFrameBytes(peerFrameBytes(config.maxRequestBytes()))
            .withTls(config.peerTls()));
    watchMembership();
    try {
      this.runtime = new NodeRuntime(runtimeOptions(), transport, stateMachine);
      auth.recovered(runtime.status().commit());
      this.ids = ProposalIds.open(config.dataDir(), memberId(), System.currentTimeMillis());
    } catch (DataDirCheck.IdentityMismatchException e) {
      closeQuietly(lock);
      throw new IOException(mismatch(e), e);
    } catch (IOException | RuntimeException e) {
      closeQuietly(lock);
      throw e;
    }
  }

  /**
   * Whom to dial before the registry is recovered: --initial-cluster's members, or for a
   * member joining now, the members its peers named (the registry then takes over).
   */
  private Map<Long, InetSocketAddress> initialPeers(Joining.Identity who) {
    return who.registry() == null ? peerAddresses()
        : MembershipWatcher.addresses(new raft.kv.apply.Membership.View(
            who.registry().getMembersList(), java.util.Set.of()), Map.of(),
            config.peerScheme(), m -> log.accept(MembershipWatcher.skipped(m,
                config.peerScheme())));
  }

  /** The registry drives the transport, narrates, and stops this member once removed. */
  private void watchMembership() {
    MembershipWatcher w = new MembershipWatcher(memberId(), log, transport,
        why -> removedStop.accept(why), config.peerScheme());
    stateMachine.setMembershipListener(w);
    transport.onRemoved(w::removed);
    transport.answerMembersWith(this::registryBytes);
  }

  /**
   * A new cluster's members start from bootstrap entries naming every initial member (their
   * context: the member's id, name and peer URL, the same on every member since all derive
   * them from --initial-cluster); a joining member from nothing, waiting for the leader.
   */
  private NodeRuntime.Options runtimeOptions() {
    long electionTicks = config.electionMillis() / config.heartbeatMillis();
    NodeRuntime.Options o = new NodeRuntime.Options(memberId(), joined ? List.of() : memberIds(),
        config.dataDir(), config.heartbeatMillis(), (int) electionTicks, 1,
        config.snapshotCount(), log, clusterId());
    return joined ? o : o.withBootstrap(bootstrapEntries());
  }

  private List<ConfChange> bootstrapEntries() {
    List<ConfChange> entries = new ArrayList<>();
    for (String n : config.initialClusterOrder()) {
      Member m = Member.newBuilder().setID(config.memberId(n)).setName(n)
          .addPeerURLs(config.peerScheme() + "://" + hostPort(config.initialCluster().get(n)))
          .build();
      entries.add(ConfChange.newBuilder().setType(ConfChangeType.CONF_CHANGE_ADD_NODE)
          .setNodeId(m.getID()).setContext(MemberChange.newBuilder().setMember(m).build()
              .toByteString()).build());
    }
    return entries;
  }

  /** What a joining member is told when it asks who is in the cluster. */
  private Set<String> memberNames() {
    return stateMachine.membership().members().stream().map(Member::getName)
        .collect(Collectors.toSet());
  }

  private com.google.protobuf.ByteString registryBytes() {
    raft.kv.apply.Membership.View v = stateMachine.membership();
    return KvState.newBuilder().addAllMembers(v.members()).addAllRemovedMembers(v.removed())
        .build().toByteString();
  }

  long memberId() {
    return identity.memberId();
  }

  long clusterId() {
    return identity.clusterId();
  }

  /** etcd's refusal in our names: whose directory it is, and who tried to start on it. */
  private String mismatch(DataDirCheck.IdentityMismatchException e) {
    MemberIdentity was = e.recorded();
    MemberIdentity is = e.expected();
    String owner = was.clusterId() == is.clusterId()
        ? nameOf(was.memberId()) + " (member " + was.memberId() + ")" : "member "
            + Long.toUnsignedString(was.memberId());
    return "data directory " + e.dataDir() + " belongs to " + owner + " of cluster "
        + Long.toHexString(was.clusterId()) + ", but this member is " + config.name()
        + " (member " + is.memberId() + ") of cluster " + Long.toHexString(is.clusterId())
        + (was.clusterId() == is.clusterId() ? "" : " (another --initial-cluster)")
        + ": start it with the right --name/--initial-cluster or --data-dir";
  }

  private static void closeQuietly(DataDirLock lock) {
    try {
      lock.close();
    } catch (IOException ignored) {
      // The process is failing anyway; its exit releases the lock.
    }
  }

  /**
   * Runs a member until the process is stopped (SIGTERM stops it gracefully) or a fatal error
   * ends it ({@link FatalExit}: a last line naming the cause, a non-zero exit status).
   */
  public static void run(ServerConfig config) throws Exception {
    String name = config.name();
    DateTimeFormatter hms = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    Consumer<String> log = line -> System.out.println(
        LocalTime.now().format(hms) + " " + name + ": " + line);
    FatalExit fatal = FatalExit.install(log);
    KvServer server = new KvServer(config, log);
    fatal.closing(server::close);
    server.removedStop = why -> fatal.stop(FatalExit.REMOVED, why);
    server.runtime.addFailureListener(fatal::exit);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      fatal.shuttingDown();
      server.close();
    }, "shutdown"));
    server.start();
    server.grpc.awaitTermination();
    fatal.awaitHalt(); // closed by a fatal exit: its status, not main's 0, must end the process
  }

  public void start() throws IOException {
    Duration requestTimeout = Duration.ofMillis(5000 + 2 * config.electionMillis());
    SpaceQuota quota = new SpaceQuota(config.spaceQuotaBytes(), stateMachine.store(),
        stateMachine.alarms(), !config.autoCompaction().off());
    RaftGateway raft = new RaftGateway(runtime, tracker, ids, config.maxRequestBytes(),
        new Deadlines(deadlineTimer, requestTimeout), quota, log, stateMachine.proposed());
    Headers headers = new Headers(clusterId(), memberId(), runtime, stateMachine.store());
    MemberChanges changes = new MemberChanges(raft, tracker,
        new Deadlines(deadlineTimer, requestTimeout), runtime::proposeConfChange,
        stateMachine::membership, new ReconfigCheck(memberId(), this::connectedLongEnough),
        leaderProgress(), new MemberIds());
    forward = new LeaderForward(() -> runtime.status().lead(), stateMachine::membership,
        requestTimeout, MemberTls.forwardContext(config));
    LeaderEvents leaders = new LeaderEvents(this::nameOf, log,
        () -> leaseTimer.promoted(leaseTtls()));
    runtime.addLeaderListener(leaders);
    runtime.addLeaderListener(leaderChanges);
    runtime.start();
    ResponseBudget budget = startClientPort(raft, headers, changes, leaders, requestTimeout,
        quota);
    timers.scheduleWithFixedDelay(uncaughtIfThrows(() -> expireLeases(raft)), 250, 250,
        TimeUnit.MILLISECONDS);
    Publisher publisher = new Publisher(memberId(), config.name(),
        config.clientScheme() + "://" + hostPort(config.clientAddress()),
        stateMachine::membership, raft, log);
    timers.scheduleWithFixedDelay(uncaughtIfThrows(publisher::publishIfNeeded), 200, 1000,
        TimeUnit.MILLISECONDS);
    AutoCompactor compactor = new AutoCompactor(config.autoCompaction(), quota.quotaBytes());
    // Often: the size check must see a fast writer's history before it reaches the quota (a
    // check reads a few fields; a compaction is proposed only when one is due).
    timers.scheduleWithFixedDelay(uncaughtIfThrows(() -> autoCompact(raft, compactor)), 100, 100,
        TimeUnit.MILLISECONDS);
    log.accept("member " + Long.toHexString(memberId()) + " of cluster "
        + Long.toHexString(clusterId()) + ": etcd v3 API on " + config.clientScheme() + "://"
        + hostPort(config.clientAddress())
        + " (gRPC; JSON, /metrics, /health and /version over HTTP/1.1" + MemberTls.describe(config)
        + "), peers on " + config.peerScheme() + "://" + hostPort(config.peerAddress())
        + ", data in " + config.dataDir() + "; responses in flight up to "
        + budget.limitBytes() / (1024 * 1024) + " MiB");
  }

  /**
   * The client port (gRPC and the JSON gateway, behind etcd's interceptors), and /metrics,
   * /health and /version on the metrics URLs if any. The budget: for the start's log line.
   */
  private ResponseBudget startClientPort(RaftGateway raft, Headers headers,
      MemberChanges changes, LeaderEvents leaders, Duration requestTimeout, SpaceQuota quota)
      throws IOException {
    GrpcMetrics grpcMetrics = new GrpcMetrics(metrics);
    ResponseBudget budget = new ResponseBudget(ResponseBudget.defaultLimit(), RESPONSES_WAITING,
        deadlineTimer, RESPONSE_WAIT, largeSends, log);
    // etcd's interceptors, listed as the builder would add them: the last runs first.
    ServerInterceptor[] interceptors = {
        // First, so it runs last: only calls the member takes need their caller resolved.
        new AuthInterceptor(new Tokens(stateMachine.tokens(), stateMachine::auth,
            stateMachine::appliedIndex, raft::linearizableBarrier), this::memberNames),
        new BudgetInterceptor(budget),
        new LearnerGate(this::isLearner),
        // Late, so it runs early: a stopped member refuses before anything is charged.
        new StoppedGate(() -> runtime.failure().map(Failure::line)),
        // Last, so it runs first: every call counts, refused ones too (etcd's as well).
        grpcMetrics};
    List<ServerServiceDefinition> etcdApi = etcdApi(raft, headers, changes, leaders,
        requestTimeout);
    HttpRoutes httpRoutes = httpRoutes(raft, quota);
    ClientPortNegotiator negotiator = startGateway(etcdApi, interceptors, httpRoutes);
    // Transport, event loops, flow control and executor (direct: handlers never block).
    NettyServerBuilder b = GrpcServerTuning.apply(NettyServerBuilder.forAddress(
            config.clientAddress(), negotiator.credentials()), NettyIo.current(), log)
        .maxInboundMessageSize(config.maxRequestBytes() + GRPC_OVERHEAD_BYTES);
    etcdApi.forEach(d -> b.addService(ServerInterceptors.intercept(d, interceptors)));
    grpc = b.addService(ServerInterceptors.intercept(ServerInterceptors.intercept(
            new AdminService(config.name(), runtime, transport, timers),
            new AdminService.LoopbackOnly()), interceptors))
        .build();
    try {
      grpc.start();
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("client port " + hostPort(config.clientAddress())
          + " is in use or cannot be bound: " + e.getMessage(), e);
    }
    grpcMetrics.initialize(grpc.getServices());
    startHttp(httpRoutes);
    return budget;
  }

  /** etcd's v3 API: served over gRPC and, through the JSON gateway, over HTTP/1.1. */
  private List<ServerServiceDefinition> etcdApi(RaftGateway raft, Headers headers,
      MemberChanges changes, LeaderEvents leaders, Duration requestTimeout) {
    return List.of(
        new KvService(raft, stateMachine.store(), headers, new ReadAuth(stateMachine::auth))
            .bindService(),
        new WatchService(stateMachine.watchHub(), headers, timers,
            config.watchProgressInterval(), log, new WatchAuth(stateMachine::auth)).bindService(),
        new LeaseService(raft, stateMachine.lessor(), leaseTimer, headers,
            stateMachine::auth).bindService(),
        new ClusterService(changes, stateMachine::membership, headers, forward,
            config.peerScheme()).bindService(),
        ServerInterceptors.intercept(new MaintenanceService(runtime, raft, stateMachine, headers,
            this::voterIds, leaders, requestTimeout.toMillis(), log),
            new BackupFormat.Interceptor()),
        auth.service(raft, headers, stateMachine::auth));
  }

  /**
   * /metrics (etcd's names, ours, the JVM's), /health and /version: served on the client port
   * (as etcd serves them on its client URLs) and on --listen-metrics-urls if given.
   */
  private HttpRoutes httpRoutes(RaftGateway raft, SpaceQuota quota) {
    EtcdMetrics.register(metrics, new EtcdMetrics.Sources(memberId(), MaintenanceService.VERSION,
        runtime, transport, stateMachine.store(), MaintenanceService.dbSize(stateMachine.store()),
        quota::quotaBytes,
        raft::proposalsPending, raft::proposalsFailed, leaderChanges::seen));
    Health health = new Health(new Health.Member() {
      @Override
      public List<AlarmMember> alarms() {
        return stateMachine.alarms().list(AlarmType.NONE);
      }

      @Override
      public boolean hasLeader() {
        return runtime.status().lead() != 0;
      }

      @Override
      public java.util.concurrent.CompletableFuture<?> linearizableRead() {
        return raft.linearizableBarrier();
      }
    }, Health.READ_TIMEOUT, log);
    return new HttpRoutes(metrics, health, MaintenanceService.VERSION);
  }

  /**
   * etcd's JSON gateway on the client port: HTTP/1.1 connections there call the etcd API's
   * services through an in-process server holding the same services and interceptors as the
   * gRPC port (so the gateway's answers, errors and metrics are a gRPC client's, as etcd's
   * gateway is a gRPC client of its own server), without serializing anything in between.
   */
  private ClientPortNegotiator startGateway(List<ServerServiceDefinition> etcdApi,
      ServerInterceptor[] interceptors, HttpRoutes httpRoutes) throws IOException {
    String name = "raftkv-gateway-" + Long.toHexString(memberId()) + "-"
        + Integer.toHexString(System.identityHashCode(this));
    InProcessServerBuilder b = InProcessServerBuilder.forName(name).directExecutor()
        .maxInboundMessageSize(config.maxRequestBytes() + GRPC_OVERHEAD_BYTES);
    etcdApi.forEach(d -> b.addService(ServerInterceptors.intercept(d, interceptors)));
    gatewayServer = b.build().start();
    gatewayChannel = InProcessChannelBuilder.forName(name).directExecutor()
        .maxInboundMessageSize(Integer.MAX_VALUE).build(); // as etcd's gateway's client
    negotiator = new Gateway(gatewayChannel,
        etcdApi.stream().map(ServerServiceDefinition::getServiceDescriptor).toList(),
        httpRoutes, config.maxRequestBytes()).negotiator(
            config.clientTls() == null ? null : config.clientTls().serverContext(),
            // as etcd's "rejected connection from ...", which a stranger can provoke at will
            new raft.util.RateLimitedLog(log, "client TLS refusals", 10, 10));
    return negotiator;
  }

  /**
   * etcd's --listen-metrics-urls: the client port's /metrics, /health and /version on their
   * own event loop thread. Nothing more is served without the flag.
   */
  private void startHttp(HttpRoutes routes) {
    if (config.metricsAddresses().isEmpty()) {
      return;
    }
    try {
      http = MetricsHttpServer.start(config.metricsAddresses(), routes, config.name());
    } catch (UncheckedIOException e) {
      close();
      throw e;
    }
    log.accept("metrics, health and version over HTTP on " + config.metricsAddresses().stream()
        .map(a -> "http://" + hostPort(a)).collect(java.util.stream.Collectors.joining(", ")));
  }

  /**
   * A periodic task that throws is silently never run again (the executor keeps the throwable
   * in a future nobody reads); the thread's uncaught exception handler gets it instead, which in
   * a member's process is {@link FatalExit}: a bug or an OOM there ends the member, loudly.
   */
  private static Runnable uncaughtIfThrows(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (Throwable e) {
        Thread t = Thread.currentThread();
        t.getUncaughtExceptionHandler().uncaughtException(t, e);
      }
    };
  }

  // Only the leader decides that a lease ran out; the revoke is an entry like any other.
  private void expireLeases(RaftGateway raft) {
    if (runtime.status().role() != StateRole.LEADER) {
      return;
    }
    leaseTimer.expire(id -> {
      log.accept("lease " + Long.toHexString(id) + " expired; proposing its revoke");
      raft.propose(InternalRequest.newBuilder()
          .setLeaseRevoke(LeaseRevokeRequest.newBuilder().setID(id)),
          ApplyResult.LeaseRevoke.class);
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
          .setCompaction(CompactionRequest.newBuilder().setRevision(target)),
          ApplyResult.Compaction.class);
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
    // Once: a SIGTERM's shutdown hook may race a fatal exit's close.
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (grpc != null) {
      grpc.shutdownNow();
    }
    if (negotiator != null) {
      negotiator.close(); // the gateway's HTTP/1.1 connections: gRPC does not know them
    }
    if (gatewayChannel != null) {
      gatewayChannel.shutdownNow();
      gatewayServer.shutdownNow();
    }
    if (http != null) {
      http.close();
    }
    timers.shutdownNow();
    largeSends.shutdownNow();
    auth.close();
    if (forward != null) {
      forward.close();
    }
    deadlineTimer.stop();
    runtime.close();
    transport.close();
    tracker.failAll(Errors.stopped("shutting down"));
    closeQuietly(dataDirLock); // after the runtime: its last WAL writes are done
  }

  public NodeRuntime runtime() {
    return runtime;
  }

  /** The watch hub: tests see a stalled client's watcher move to the slow set. */
  raft.kv.watch.WatchHub watchHub() {
    return stateMachine.watchHub();
  }

  /**
   * The "server-timers" thread. Each watch stream's progress ticker is cancelled when the
   * stream ends: off the queue at once, not at its next run (10 minutes away), which would
   * hold the ended stream until then.
   */
  private static ScheduledThreadPoolExecutor timerThread() {
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
      Thread thread = new Thread(r, "server-timers");
      thread.setDaemon(true);
      return thread;
    });
    t.setRemoveOnCancelPolicy(true);
    return t;
  }

  /** Tasks on the server's timer thread now (tests: an ended stream leaves none). */
  int timersQueued() {
    return timers.getQueue().size();
  }

  /** The client port's HTTP/1.1 connections open now (tests). */
  int gatewayConnections() {
    return negotiator == null ? 0 : negotiator.http1Connections();
  }

  /** Where /metrics, /health and /version are served (bound: a test may ask port 0). */
  public List<InetSocketAddress> metricsAddresses() {
    MetricsHttpServer h = http;
    return h == null ? List.of() : h.addresses();
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

  /** The voters now, for move-leader (a learner cannot lead). */
  private List<Long> voterIds() {
    return stateMachine.membership().voters().stream().map(Member::getID).toList();
  }

  /** etcd's learner gate asks this on every call: a volatile read of the registry. */
  boolean isLearner() {
    return stateMachine.membership().isLearner(memberId());
  }

  // etcd's transport.ActiveSince(id) older than HealthInterval.
  private boolean connectedLongEnough(long peer) {
    OptionalLong since = transport.connectedSince(peer);
    return since.isPresent()
        && System.nanoTime() - since.getAsLong() >= HEALTH_INTERVAL.toNanos();
  }

  /**
   * What etcd's isLearnerReady reads from the leader's tracker: the learner's match index
   * against the leader's own, from the Raft loop ({@link NodeRuntime#matchIndexes}).
   */
  /** The leader's match indexes, or empty if not leading (or the loop does not answer). */
  private Map<Long, Long> matchIndexes() {
    try {
      return runtime.matchIndexes().get(1, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      return Map.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Map.of();
    }
  }

  private MemberChanges.LeaderProgress leaderProgress() {
    return new MemberChanges.LeaderProgress() {
      @Override
      public Optional<Long> match(long learner) {
        Map<Long, Long> m = matchIndexes();
        return m.isEmpty() ? Optional.empty()
            : Optional.of(m.getOrDefault(learner, 0L));
      }

      @Override
      public long leaderMatch() {
        return matchIndexes().getOrDefault(memberId(), runtime.status().lastIndex());
      }

      @Override
      public long self() {
        return memberId();
      }

      @Override
      public boolean leaderKnown() {
        return runtime.status().lead() != 0;
      }
    };
  }

  /** The registry's name for {@code id}, or --initial-cluster's before the registry has it. */
  private String nameOf(long id) {
    return stateMachine.membership().member(id).map(MembershipWatcher::nameOf)
        .orElseGet(() -> config.initialClusterOrder().stream()
            .filter(n -> config.memberId(n) == id).findFirst()
            .orElse("member " + Long.toHexString(id)));
  }

  static String hostPort(InetSocketAddress a) {
    return a.getHostString() + ":" + a.getPort();
  }
}
