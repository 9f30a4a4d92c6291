package raft.runtime;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import raft.core.Config;
import raft.core.RaftNode;
import raft.core.ReadyPipeline;
import raft.core.StateRole;
import raft.log.RaftLog;
import raft.pb.ConfChange;
import raft.pb.ConfChangeV2;
import raft.pb.ConfState;
import raft.pb.Snapshot;
import raft.storage.MemberIdentity;
import raft.storage.durable.DurableStorage;
import raft.storage.wal.Wal;
import raft.transport.Transport;

/**
 * Runs one Raft member: the only threaded code in raft-core. This class wires the parts and is
 * the one public face of them.
 *
 * <p>Threads: one <em>Raft loop</em> ({@link RaftLoop}) owns the {@link RaftNode}; every input
 * (ticks from the {@link Ticker}, messages from the transport, client requests, writes reported
 * durable) reaches it through one queue. Each {@link raft.core.Ready} is carried out by {@link
 * ReadyPipeline}, as in the simulator: messages go at once, committed entries to the <em>apply
 * thread</em> ({@link Applier}), writes to the <em>storage thread</em> ({@link StorageWriter},
 * many per fsync), and the loop goes on at once; acknowledgements and votes leave, and the
 * leader counts itself, only when the storage thread reports the write durable (thesis
 * §10.2.1). So neither an fsync nor a slow state machine delays a heartbeat. Proposals are
 * batched ({@link ProposalBatcher}), reads wait for their index ({@link ReadWaiters}), and
 * snapshots are written on the apply thread ({@link Snapshots}).
 *
 * <p>Failure: an I/O error in storage, a state machine that throws, an {@link OutOfMemoryError}
 * or a bug on either thread is final. The member logs one line naming the cause ({@link
 * Failure}), reports it in {@link Status#failure}, stops its loop (sends nothing more,
 * acknowledges nothing more), fails waiting requests with {@link NodeStoppedException}, and
 * tells its failure listeners, so that its owner can stop too (the raftkv server process exits,
 * as etcd does). A failed fsync is never retried: the kernel may have dropped the data already
 * ("fsyncgate"); restart recovers from what is on disk. See {@link Lifecycle}.
 *
 * <p>Every public method is thread-safe and never blocks, except {@link #close} (joins threads)
 * and the constructor (recovers from disk).
 */
public final class NodeRuntime implements AutoCloseable {

  /**
   * @param tickMillis length of one Raft tick in milliseconds (for the default {@link Ticker})
   * @param electionTicks base election timeout in ticks (§5.2: randomized in [T, 2T))
   * @param heartbeatTicks leader heartbeat interval in ticks
   * @param snapshotCount applied entries between state machine snapshots (§7); 0 disables them
   * @param log one line per notable event (elections are not logged; failures are)
   * @param clusterId the cluster this member belongs to: with {@code id}, whose data directory
   *     this must be ({@link MemberIdentity}, checked and recorded at open); 0 checks nothing
   * @param seed the seed of the election timeout's jitter, the member's only randomness; if
   *     empty, the clock's nanoseconds mixed with the id (members started together differ)
   * @param bootstrap a new cluster's initial members, one ADD_NODE change each (context: what
   *     the owner wants to know of the member), written as the first entries of an empty data
   *     directory (etcd's Bootstrap, {@link RaftNode#bootstrap}); then {@code peers} is unused.
   *     Empty with empty {@code peers}: the member joins an existing cluster and waits to be
   *     sent its log. Empty with {@code peers}: the older form, membership in the storage only.
   */
  public record Options(long id, List<Long> peers, Path dataDir, long tickMillis,
      int electionTicks, int heartbeatTicks, long snapshotCount, Consumer<String> log,
      long clusterId, OptionalLong seed, List<ConfChange> bootstrap) {

    public Options(long id, List<Long> peers, Path dataDir, long tickMillis,
        int electionTicks, int heartbeatTicks, long snapshotCount, Consumer<String> log,
        long clusterId, OptionalLong seed) {
      this(id, peers, dataDir, tickMillis, electionTicks, heartbeatTicks, snapshotCount, log,
          clusterId, seed, List.of());
    }

    public Options(long id, List<Long> peers, Path dataDir, long tickMillis,
        int electionTicks, int heartbeatTicks, long snapshotCount, Consumer<String> log,
        long clusterId) {
      this(id, peers, dataDir, tickMillis, electionTicks, heartbeatTicks, snapshotCount, log,
          clusterId, OptionalLong.empty());
    }

    public Options(long id, List<Long> peers, Path dataDir, long tickMillis,
        int electionTicks, int heartbeatTicks, long snapshotCount, Consumer<String> log) {
      this(id, peers, dataDir, tickMillis, electionTicks, heartbeatTicks, snapshotCount, log, 0);
    }

    /** etcd's defaults: 100 ms heartbeat, 1 s election timeout, a snapshot every 10000. */
    public static Options defaults(long id, List<Long> peers, Path dataDir) {
      return new Options(id, peers, dataDir, 100, 10, 1, 10_000, System.err::println);
    }

    /** These options with the election jitter drawn from {@code seed} (reproducible runs). */
    public Options withSeed(long seed) {
      return new Options(id, peers, dataDir, tickMillis, electionTicks, heartbeatTicks,
          snapshotCount, log, clusterId, OptionalLong.of(seed), bootstrap);
    }

    /** These options for a new cluster whose first entries add {@code members}. */
    public Options withBootstrap(List<ConfChange> members) {
      return new Options(id, List.of(), dataDir, tickMillis, electionTicks, heartbeatTicks,
          snapshotCount, log, clusterId, seed, List.copyOf(members));
    }

    SplittableRandom random() {
      return new SplittableRandom(seed.orElse(System.nanoTime() ^ id));
    }
  }

  /**
   * A consistent picture of the member for status displays; {@code failure} is null if healthy.
   * A member that has stopped shows the follower role and no leader: it leads no one any more.
   * {@code vote} is whom it voted for in this term (0: no one).
   */
  public record Status(long id, StateRole role, long term, long lead, long commit, long applied,
      long lastIndex, String failure, ConfState confState, long vote) {}

  /** Told when the leader known to this member changes. */
  @FunctionalInterface
  public interface LeaderListener {
    /** Called on the Raft loop thread: must not block. {@code lead} is 0 when none is known. */
    void leaderChanged(long lead, long term, boolean isSelf);
  }

  /** Told once, when the member stops for good (see {@link Failure}). */
  @FunctionalInterface
  public interface FailureListener {
    /**
     * Called once, on the thread that failed (the Raft loop or the apply thread), after the
     * member has stopped and failed its waiting requests; at once if it had failed before the
     * listener was added. Must not block: hand slow work (closing, exiting) to another thread.
     */
    void failed(Failure f);
  }

  /** How the runtime opens its storage; tests inject disk faults through it. */
  interface StorageOpener {
    DurableStorage open(Path dataDir, List<Long> peers, DurableStorage.Options o)
        throws IOException;
  }

  private final long id;
  private final RaftNode node;
  private final Lifecycle lifecycle;
  private final Applier applier;
  private final LeaderNotifier leaders;
  private final ReadWaiters reads;
  private final RaftLoop loop;
  private final ProposalBatcher proposals;
  private final Snapshots snapshots;
  private final RuntimeMetrics metrics = new RuntimeMetrics();

  /**
   * Opens the storage in {@code o.dataDir()} and recovers; call {@link #start} next. Ticks
   * every {@code o.tickMillis()} milliseconds.
   */
  public NodeRuntime(Options o, Transport transport, StateMachine sm) throws IOException {
    this(o, transport, sm, Ticker.every(o.tickMillis(), "raft-tick-" + o.id()));
  }

  /** As above, with ticks from {@code ticker} (a test ticks by hand). */
  public NodeRuntime(Options o, Transport transport, StateMachine sm, Ticker ticker)
      throws IOException {
    this(o, transport, sm, DurableStorage::open, ticker);
  }

  NodeRuntime(Options o, Transport transport, StateMachine sm, StorageOpener opener,
      Ticker ticker) throws IOException {
    this.id = o.id();
    DurableStorage storage = openStorage(o, opener, metrics);
    Snapshot snap = storage.snapshot();
    this.node = newNode(o, storage, snap);
    this.lifecycle = new Lifecycle(id, o.dataDir(), o.log());
    // The log since the last snapshot lives in the heap: an eighth of it is the most it may
    // take, whatever the entries' sizes (the catch-up entries kept after a snapshot add to it).
    this.applier = new Applier(sm, snap.getMetadata().getConfState(), o.snapshotCount(),
        Runtime.getRuntime().maxMemory() / 8, this::takeSnapshot,
        e -> lifecycle.fail(e, Failure.Site.APPLY));
    if (snap.getMetadata().getIndex() > 0) {
      applier.enqueueBatch(snap, List.of()); // restored on the apply thread, before anything
    }
    this.leaders = new LeaderNotifier(id, o.log(), node);
    this.reads = new ReadWaiters(id, node, applier);
    this.loop = new RaftLoop(id, o.log(), node, storage, transport,
        new ToApplier(applier, reads, leaders, metrics), lifecycle, metrics);
    this.proposals = new ProposalBatcher(id, node, loop, lifecycle);
    loop.onDiskIdle(proposals::diskIdle);
    this.snapshots = new Snapshots(storage, sm, loop, applier, lifecycle);
    lifecycle.own(new Lifecycle.Parts(applier, loop, transport, ticker, storage));
  }

  private static DurableStorage openStorage(Options o, StorageOpener opener,
      RuntimeMetrics metrics) throws IOException {
    // Keep at most one snapshot interval of entries for slow followers (etcd keeps 5000), and
    // at most a sixteenth of the heap of them (they live in it).
    long catchUp = Math.min(DurableStorage.Options.DEFAULT_CATCH_UP_ENTRIES,
        Math.max(o.snapshotCount(), 1));
    return opener.open(o.dataDir(), o.peers(), new DurableStorage.Options(
        Wal.Options.DEFAULT_SEGMENT_BYTES, catchUp, Runtime.getRuntime().maxMemory() / 16,
        o.log(), o.clusterId() == 0 ? null : new MemberIdentity(o.id(), o.clusterId()))
        .withFsyncObserver(metrics::walFsync));
  }

  private static RaftNode newNode(Options o, DurableStorage storage, Snapshot snap)
      throws IOException {
    try {
      Config c = new Config();
      c.id = o.id();
      c.peers = o.peers();
      c.electionTick = o.electionTicks();
      c.heartbeatTick = o.heartbeatTicks();
      c.storage = storage;
      // The state machine restarts from the snapshot; Raft re-commits and re-sends the rest.
      c.applied = snap.getMetadata().getIndex();
      c.random = o.random();
      RaftNode node = new RaftNode(c);
      if (!o.bootstrap().isEmpty() && storage.lastIndex() == 0
          && node.confState().getVotersCount() == 0) {
        node.bootstrap(o.bootstrap()); // a new cluster: its first entries are its members
      }
      return node;
    } catch (RuntimeException e) {
      storage.close();
      throw e;
    }
  }


  /** Starts the threads, the transport and the ticker. Idempotent. */
  public void start() {
    lifecycle.start();
  }

  /**
   * Proposes a command. Completes once Raft accepted it (appended on the leader or forwarded by
   * a follower); exceptionally with {@link NoLeaderException} if Raft dropped it, or {@link
   * NodeStoppedException} if the member stopped. Whether it commits shows in {@link
   * StateMachine#apply}: match a request id inside {@code data}.
   */
  public CompletableFuture<Void> propose(ByteString data) {
    return proposals.propose(data);
  }

  /**
   * Proposes a membership change (thesis chapter 4). Completes once Raft accepted it;
   * exceptionally with {@link NoLeaderException} if it was dropped (no leader, or the leader
   * may not make it now: one change at a time). The change shows, once applied, in {@link
   * StateMachine#applyConfChange}: match a request id inside its context. A follower forwards
   * it, and the leader may still drop it: wait for the apply with a timeout.
   */
  public CompletableFuture<Void> proposeConfChange(ConfChangeV2 cc) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    loop.submitFor(f, () -> {
      if (node.proposeConfChange(cc)) {
        f.complete(null);
      } else {
        f.completeExceptionally(NoLeaderException.dropped("membership change", id));
      }
    });
    return f;
  }

  /**
   * Thesis §6.4 (ReadIndex): completes with a read index once this member's state machine has
   * applied at least that far, so a read served then is linearizable. Exceptionally {@link
   * NoLeaderException} if no leader is known. A read lost in a leader change never completes:
   * use {@code orTimeout}.
   */
  public CompletableFuture<Long> readIndex() {
    CompletableFuture<Long> f = new CompletableFuture<>();
    loop.submitFor(f, reads.request(f));
    return f;
  }

  /** Thesis §3.10: asks the leader to hand leadership to {@code target}. Fire and forget. */
  public void transferLeader(long target) {
    loop.submit(() -> node.transferLeader(target));
  }

  /** status().term() without building the rest: asked for every response header. */
  public long term() {
    return loop.status().term();
  }

  /** A recent, consistent picture; safe from any thread. */
  public Status status() {
    RaftNode.Status s = loop.status();
    Failure f = lifecycle.failure();
    if (f != null) {
      return new Status(id, StateRole.FOLLOWER, s.term(), 0, s.commitIndex(), applier.applied(),
          s.lastIndex(), f.line(), s.confState(), s.votedFor());
    }
    return new Status(id, s.role(), s.term(), s.lead(), s.commitIndex(), applier.applied(),
        s.lastIndex(), null, s.confState(), s.votedFor());
  }

  /**
   * On a leader, how far each member's log is known to match its own (Figure 2's matchIndex,
   * learners included, the leader's own entry being what it has persisted); empty on any other
   * member. Read on the loop: for etcd's check that a learner is in sync before promotion.
   */
  public CompletableFuture<Map<Long, Long>> matchIndexes() {
    CompletableFuture<Map<Long, Long>> f = new CompletableFuture<>();
    loop.submitFor(f, () -> {
      Map<Long, Long> match = new TreeMap<>();
      if (node.raft().role() == StateRole.LEADER) {
        node.raft().tracker().all().forEach((id, p) -> match.put(id, p.matchIndex()));
      }
      f.complete(match);
    });
    return f;
  }

  /** This member's counts for its metrics (see {@link RuntimeMetrics}); any thread. */
  public RuntimeMetrics metrics() {
    return metrics;
  }

  /** Raft messages this member has sent so far, per peer and kind (for the cluster view). */
  public MessageCounts messagesSent() {
    return loop.sent();
  }

  /**
   * The (index, term) of the last {@code n} entries of the log, oldest first, read on the
   * loop (entries compacted into a snapshot are left out). For the cluster view's log blocks.
   */
  public CompletableFuture<List<long[]>> logTail(int n) {
    CompletableFuture<List<long[]>> f = new CompletableFuture<>();
    loop.submitFor(f, () -> {
      RaftLog log = node.raft().log();
      List<long[]> tail = new ArrayList<>(n);
      for (long i = Math.max(log.firstIndex(), log.lastIndex() - n + 1); i <= log.lastIndex();
          i++) {
        long t = log.term(i);
        if (t > 0) {
          tail.add(new long[] {i, t});
        }
      }
      f.complete(tail);
    });
    return f;
  }

  /** Why this member stopped for good, if it did. */
  public Optional<Failure> failure() {
    return Optional.ofNullable(lifecycle.failure());
  }

  /** See {@link FailureListener}: told once, even if the member has failed already. */
  public void addFailureListener(FailureListener l) {
    lifecycle.addFailureListener(l);
  }

  public void addLeaderListener(LeaderListener l) {
    leaders.add(l);
  }

  /**
   * A backup (etcd's {@code snapshot save}): streams the state machine as it is now, at the
   * applied index, into a new temporary snapshot file (the usual format, checked by CRC) and
   * completes with its path; the caller moves or deletes it. Written on the apply thread, so
   * nothing is applied meanwhile. Fails if the member stops or the write fails.
   */
  public CompletableFuture<Path> exportSnapshot() {
    return snapshots.export();
  }

  /**
   * For tests that tick by hand ({@link Ticker}): completes once the loop has run every input
   * queued before this call and the writes they made are durable and acknowledged; fails if
   * the member stops first.
   */
  CompletableFuture<Void> settled() {
    return loop.settled();
  }

  /** Stops the threads, closes the transport and the storage. Idempotent. */
  @Override
  public void close() {
    lifecycle.close();
  }

  private void takeSnapshot(long index, long term) throws IOException {
    snapshots.take(index, term);
  }
}
