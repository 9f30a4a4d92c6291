package raft.runtime;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import raft.core.Config;
import raft.core.RaftNode;
import raft.core.ReadState;
import raft.core.ReadyPipeline;
import raft.core.SoftState;
import raft.core.StateRole;
import raft.pb.ConfState;
import raft.pb.Message;
import raft.pb.MessageType;
import raft.pb.Snapshot;
import raft.pb.SnapshotMetadata;
import raft.storage.MemberIdentity;
import raft.storage.durable.DurableStorage;
import raft.storage.wal.Wal;
import raft.transport.Transport;

/**
 * Runs one Raft member: the only threaded code in raft-core.
 *
 * <p>Threads: one <em>Raft loop</em> owns the {@link RaftNode}; every input (ticks from a timer
 * thread, messages from the transport, client requests, writes reported durable) reaches it
 * through one queue. Each {@link Ready} is carried out by {@link ReadyPipeline}, as in the
 * simulator: messages go at once, committed entries to the <em>apply thread</em> ({@link
 * Applier}), writes to the <em>storage thread</em> ({@link StorageWriter}, many per fsync), and
 * the loop goes on at once; acknowledgements and votes leave, and the leader counts itself,
 * only when the storage thread reports the write durable (thesis §10.2.1). So neither an fsync
 * nor a slow state machine delays a heartbeat.
 *
 * <p>Failure: an I/O error in storage, a state machine that throws, an {@link OutOfMemoryError}
 * or a bug on either thread is final. The member logs one line naming the cause ({@link
 * Failure}), reports it in {@link Status#failure}, stops its loop (sends nothing more,
 * acknowledges nothing more), fails waiting requests with {@link NodeStoppedException}, and
 * tells its failure listeners, so that its owner can stop too (the raftkv server process exits,
 * as etcd does). A failed fsync is never retried: the kernel may have dropped the data already
 * ("fsyncgate"); restart recovers from what is on disk.
 *
 * <p>Every public method is thread-safe and never blocks, except {@link #close} (joins threads)
 * and the constructor (recovers from disk).
 */
public final class NodeRuntime implements AutoCloseable {

  /**
   * @param tickMillis length of one Raft tick in milliseconds
   * @param electionTicks base election timeout in ticks (§5.2: randomized in [T, 2T))
   * @param heartbeatTicks leader heartbeat interval in ticks
   * @param snapshotCount applied entries between state machine snapshots (§7); 0 disables them
   * @param log one line per notable event (elections are not logged; failures are)
   * @param clusterId the cluster this member belongs to: with {@code id}, whose data directory
   *     this must be ({@link MemberIdentity}, checked and recorded at open); 0 checks nothing
   */
  public record Options(long id, List<Long> peers, Path dataDir, long tickMillis,
      int electionTicks, int heartbeatTicks, long snapshotCount, Consumer<String> log,
      long clusterId) {

    public Options(long id, List<Long> peers, Path dataDir, long tickMillis,
        int electionTicks, int heartbeatTicks, long snapshotCount, Consumer<String> log) {
      this(id, peers, dataDir, tickMillis, electionTicks, heartbeatTicks, snapshotCount, log, 0);
    }

    /** etcd's defaults: 100 ms heartbeat, 1 s election timeout, a snapshot every 10000. */
    public static Options defaults(long id, List<Long> peers, Path dataDir) {
      return new Options(id, peers, dataDir, 100, 10, 1, 10_000, System.err::println);
    }
  }

  /**
   * A consistent picture of the member for status displays; {@code failure} is null if healthy.
   * A member that has stopped shows the follower role and no leader: it leads no one any more.
   */
  public record Status(long id, StateRole role, long term, long lead, long commit, long applied,
      long lastIndex, String failure) {}

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

  /** An input for the Raft loop. An IOException from storage is fatal. */
  private interface Input {
    void run() throws IOException;
  }

  private static final int MAX_INPUTS_PER_READY = 1024;
  /** The most command bytes one batch of proposals carries (etcd's default max message size). */
  static final long MAX_PROPOSAL_BATCH_BYTES = 1024 * 1024;

  private record Proposal(ByteString data, CompletableFuture<Void> accepted) {}

  private final Options o;
  private final Transport transport;
  private final DurableStorage storage;
  private final StateMachine sm;
  private final ConfState confState;
  private final RaftNode node;
  private final Applier applier;
  private final StorageWriter writer;
  private final ReadyPipeline pipeline;
  private final Thread loopThread;
  private final Thread applyThread;
  private final Thread storageThread;
  private final ScheduledExecutorService ticker;
  private final LinkedBlockingQueue<Input> inbox = new LinkedBlockingQueue<>();
  private final AtomicBoolean tickQueued = new AtomicBoolean();
  private final Queue<Proposal> proposals = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean proposalsQueued = new AtomicBoolean();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicReference<Failure> failure = new AtomicReference<>();
  // Guarded by itself, so that each listener hears of the failure exactly once.
  private final List<FailureListener> failureListeners = new ArrayList<>();
  private final AtomicLong readSeq = new AtomicLong();
  private final Map<ByteString, CompletableFuture<Long>> readWaiters = new ConcurrentHashMap<>();
  private final java.util.Set<CompletableFuture<?>> pending = ConcurrentHashMap.newKeySet();
  private final List<LeaderListener> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean running = true;
  private volatile RaftNode.Status loopStatus;
  // Loop-owned: the last (lead, term) told to listeners.
  private long notifiedLead = -1;
  private long notifiedTerm = -1;

  /** Opens the storage in {@code o.dataDir()} and recovers; call {@link #start} next. */
  public NodeRuntime(Options o, Transport transport, StateMachine sm) throws IOException {
    this(o, transport, sm, DurableStorage::open);
  }

  /** How the runtime opens its storage; tests inject disk faults through it. */
  interface StorageOpener {
    DurableStorage open(Path dataDir, List<Long> peers, DurableStorage.Options o)
        throws IOException;
  }

  NodeRuntime(Options o, Transport transport, StateMachine sm, StorageOpener opener)
      throws IOException {
    this.o = o;
    this.transport = transport;
    // Keep at most one snapshot interval of entries for slow followers (etcd keeps 5000), and
    // at most a sixteenth of the heap of them (they live in it).
    long catchUp = Math.min(DurableStorage.Options.DEFAULT_CATCH_UP_ENTRIES,
        Math.max(o.snapshotCount(), 1));
    this.storage = opener.open(o.dataDir(), o.peers(), new DurableStorage.Options(
        Wal.Options.DEFAULT_SEGMENT_BYTES, catchUp, Runtime.getRuntime().maxMemory() / 16,
        o.log(), o.clusterId() == 0 ? null : new MemberIdentity(o.id(), o.clusterId())));
    Snapshot snap = storage.snapshot();
    try {
      Config c = new Config();
      c.id = o.id();
      c.peers = o.peers();
      c.electionTick = o.electionTicks();
      c.heartbeatTick = o.heartbeatTicks();
      c.storage = storage;
      // The state machine restarts from the snapshot; Raft re-commits and re-sends the rest.
      c.applied = snap.getMetadata().getIndex();
      c.random = new SplittableRandom(System.nanoTime() ^ o.id());
      this.node = new RaftNode(c);
    } catch (RuntimeException e) {
      storage.close();
      throw e;
    }
    this.sm = sm;
    // Membership never changes here: every snapshot carries the one we started with.
    ConfState cs = storage.snapshotMetadata().getConfState();
    this.confState = cs.getVotersCount() > 0 ? cs
        : ConfState.newBuilder().addAllVoters(o.peers()).build();
    // The log since the last snapshot lives in the heap: an eighth of it is the most it may
    // take, whatever the entries' sizes (the catch-up entries kept after a snapshot add to it).
    this.applier = new Applier(sm, o.snapshotCount(), Runtime.getRuntime().maxMemory() / 8,
        this::takeSnapshot, e -> fail(e, Failure.Site.APPLY));
    if (snap.getMetadata().getIndex() > 0) {
      applier.enqueueBatch(snap, List.of()); // restored on the apply thread, before anything
    }
    this.writer = new StorageWriter(storage, this::durable, e -> fail(e, Failure.Site.STORAGE));
    this.pipeline = new ReadyPipeline(node, writer::write, this::send, new ToApplier());
    this.loopThread = new Thread(this::runLoop, "raft-loop-" + o.id());
    this.applyThread = new Thread(applier, "raft-apply-" + o.id());
    this.storageThread = new Thread(writer, "raft-storage-" + o.id());
    this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "raft-tick-" + o.id());
      t.setDaemon(true);
      return t;
    });
    this.loopStatus = node.status();
  }

  /** Starts the threads and the transport. Idempotent. */
  public void start() {
    if (closed.get() || !started.compareAndSet(false, true)) {
      return;
    }
    applyThread.start();
    storageThread.start();
    loopThread.start();
    transport.start(this::receive, this::unreachable);
    ticker.scheduleAtFixedRate(this::queueTick, o.tickMillis(), o.tickMillis(),
        TimeUnit.MILLISECONDS);
  }

  /**
   * Proposes a command. Completes once Raft accepted it (appended on the leader or forwarded by
   * a follower); exceptionally with {@link NoLeaderException} if Raft dropped it, or {@link
   * NodeStoppedException} if the member stopped. Whether it commits shows in {@link
   * StateMachine#apply}: match a request id inside {@code data}.
   */
  public CompletableFuture<Void> propose(ByteString data) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    if (track(f)) {
      proposals.add(new Proposal(data, f));
      if (proposalsQueued.compareAndSet(false, true)) {
        submit(this::proposeQueued);
      }
    }
    return f;
  }

  /**
   * Batching: every proposal that arrived since the last batch goes to Raft in one MsgProp (up
   * to {@link #MAX_PROPOSAL_BATCH_BYTES}), so the leader appends them together and sends them
   * to each follower in one append, instead of one append per proposal.
   */
  private void proposeQueued() {
    proposalsQueued.set(false);
    List<Proposal> batch = new ArrayList<>();
    long bytes = 0;
    for (Proposal p; (p = proposals.poll()) != null; ) {
      if (!batch.isEmpty() && bytes + p.data().size() > MAX_PROPOSAL_BATCH_BYTES) {
        proposeAll(batch);
        batch = new ArrayList<>();
        bytes = 0;
      }
      batch.add(p);
      bytes += p.data().size();
    }
    if (!batch.isEmpty()) {
      proposeAll(batch);
    }
  }

  private void proposeAll(List<Proposal> batch) {
    List<ByteString> commands = new ArrayList<>(batch.size());
    for (Proposal p : batch) {
      commands.add(p.data());
    }
    boolean accepted = node.proposeAll(commands);
    for (Proposal p : batch) {
      if (accepted) {
        p.accepted().complete(null);
      } else {
        p.accepted().completeExceptionally(noLeader("proposal"));
      }
    }
  }

  /**
   * Thesis §6.4 (ReadIndex): completes with a read index once this member's state machine has
   * applied at least that far, so a read served then is linearizable. Exceptionally {@link
   * NoLeaderException} if no leader is known. A read lost in a leader change never completes:
   * use {@code orTimeout}.
   */
  public CompletableFuture<Long> readIndex() {
    CompletableFuture<Long> f = new CompletableFuture<>();
    ByteString ctx = ByteString.copyFrom(ByteBuffer.allocate(8)
        .putLong(readSeq.incrementAndGet()).array());
    f.whenComplete((v, e) -> readWaiters.remove(ctx));
    submitFor(f, () -> {
      readWaiters.put(ctx, f);
      if (!node.readIndex(ctx)) {
        f.completeExceptionally(noLeader("read"));
      }
    });
    return f;
  }

  /** Thesis §3.10: asks the leader to hand leadership to {@code target}. Fire and forget. */
  public void transferLeader(long target) {
    submit(() -> node.transferLeader(target));
  }

  /** A recent, consistent picture; safe from any thread. */
  public Status status() {
    RaftNode.Status s = loopStatus;
    Failure f = failure.get();
    if (f != null) {
      return new Status(o.id(), StateRole.FOLLOWER, s.term(), 0, s.commitIndex(),
          applier.applied(), s.lastIndex(), f.line());
    }
    return new Status(o.id(), s.role(), s.term(), s.lead(), s.commitIndex(), applier.applied(),
        s.lastIndex(), null);
  }

  /** Why this member stopped for good, if it did. */
  public Optional<Failure> failure() {
    return Optional.ofNullable(failure.get());
  }

  /** See {@link FailureListener}: told once, even if the member has failed already. */
  public void addFailureListener(FailureListener l) {
    Failure f;
    synchronized (failureListeners) {
      f = failure.get();
      if (f == null) {
        failureListeners.add(l);
        return;
      }
    }
    l.failed(f);
  }

  public void addLeaderListener(LeaderListener l) {
    listeners.add(l);
  }

  // ---------------------------------------------------------------- inputs

  private void receive(Message m) {
    submit(() -> {
      try {
        node.step(m);
      } catch (IllegalArgumentException e) {
        o.log().accept("member " + o.id() + ": dropped a bad message from " + m.getFrom()
            + ": " + e.getMessage());
      }
    });
  }

  private void unreachable(long peer) {
    submit(() -> node.reportUnreachable(peer));
  }

  private void queueTick() {
    // A stalled loop gets one tick, not a burst: a burst after a long fsync would fire
    // elections that the cluster does not need.
    if (tickQueued.compareAndSet(false, true)) {
      submit(() -> {
        tickQueued.set(false);
        node.tick();
      });
    }
  }

  /**
   * §7, on the apply thread: streams the state machine into a snapshot file while nothing is
   * applied; the storage thread puts the file in place, and the loop compacts the memory log.
   * Both the copy of the state and the file's fsync stay away from the loop.
   */
  private void takeSnapshot(long index, long term) throws IOException {
    SnapshotMetadata m = SnapshotMetadata.newBuilder().setIndex(index).setTerm(term)
        .setConfState(confState).build();
    Path file = storage.writeSnapshotFile(m, sm::writeSnapshot);
    writer.run(() -> {
      if (storage.installSnapshotFile(file, m)) {
        submit(() -> storage.compactMemory(m));
      }
    });
  }

  /**
   * A backup (etcd's {@code snapshot save}): streams the state machine as it is now, at the
   * applied index, into a new temporary snapshot file (the usual format, checked by CRC) and
   * completes with its path; the caller moves or deletes it. Written on the apply thread, so
   * nothing is applied meanwhile. Fails if the member stops or the write fails.
   */
  public CompletableFuture<Path> exportSnapshot() {
    CompletableFuture<Path> f = new CompletableFuture<>();
    if (!track(f)) {
      return f;
    }
    applier.enqueueAtApplied((index, term) -> {
      SnapshotMetadata m = SnapshotMetadata.newBuilder().setIndex(index).setTerm(term)
          .setConfState(confState).build();
      try {
        f.complete(storage.writeSnapshotFile(m, sm::writeSnapshot));
      } catch (IOException | RuntimeException e) {
        f.completeExceptionally(e);
      }
    });
    return f;
  }

  private void submit(Input in) {
    if (running) {
      inbox.add(in);
    }
  }

  private void submitFor(CompletableFuture<?> f, Input in) {
    if (track(f)) {
      inbox.add(in);
    }
  }

  /**
   * Records {@code f} as waiting, so that a stop fails it; false (and f failed) if the member
   * has stopped already. Either the stopper sees f in pending, or we see running == false.
   */
  private boolean track(CompletableFuture<?> f) {
    pending.add(f);
    f.whenComplete((v, e) -> pending.remove(f));
    if (!running) {
      f.completeExceptionally(stopped());
      return false;
    }
    return true;
  }

  private NoLeaderException noLeader(String what) {
    return new NoLeaderException(what + " dropped: member " + o.id() + " knows no leader, or a "
        + "leadership transfer is in progress; retry later");
  }

  private NodeStoppedException stopped() {
    Failure f = failure.get();
    return new NodeStoppedException("member " + o.id() + " has stopped"
        + (f != null ? " (" + f.line() + ")" : ""));
  }

  // ---------------------------------------------------------------- the Raft loop

  private void runLoop() {
    List<Input> batch = new ArrayList<>();
    try {
      while (running) {
        batch.add(inbox.take());
        inbox.drainTo(batch, MAX_INPUTS_PER_READY);
        for (Input in : batch) {
          if (!running) {
            return;
          }
          in.run();
        }
        batch.clear();
        // Everything queued above lands in one Ready; the storage thread adds group commit.
        pipeline.drain();
        loopStatus = node.status();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException | Error e) {
      fail(e, Failure.Site.RAFT_LOOP);
    }
  }

  /** On the storage thread: these writes are durable; the loop finishes them. */
  private void durable(List<ReadyPipeline.Write> writes) {
    submit(() -> {
      for (ReadyPipeline.Write w : writes) {
        pipeline.written(w);
      }
    });
  }

  private void send(Message m) {
    if (m.getType() == MessageType.MSG_HEARTBEAT) {
      HeartbeatSentEvent.emit(m.getTo(), m.getTerm());
    }
    transport.send(m);
    if (m.getType() == MessageType.MSG_SNAP) {
      // The transport hands a snapshot over in one message; count it as delivered (simplest).
      submit(() -> node.reportSnapshot(m.getTo(), true));
    }
  }

  /** The state machine's side of the pipeline: the apply thread and the read waiters. */
  private final class ToApplier implements ReadyPipeline.StateMachineQueue {
    @Override
    public void apply(Snapshot snapshot, List<raft.pb.Entry> committed) {
      applier.enqueueBatch(snapshot, committed);
    }

    @Override
    public void read(ReadState rs) {
      CompletableFuture<Long> f = readWaiters.remove(rs.requestCtx());
      if (f != null) {
        applier.enqueueRead(rs.index(), f); // §6.4: serve once applied reaches the read index
      }
    }

    @Override
    public void softState(SoftState s) {
      notifyLeader(s);
    }
  }

  private void notifyLeader(SoftState s) {
    long term = node.raft().term();
    if (s.lead() == notifiedLead && term == notifiedTerm) {
      return;
    }
    notifiedLead = s.lead();
    notifiedTerm = term;
    for (LeaderListener l : listeners) {
      try {
        l.leaderChanged(s.lead(), term, s.lead() == o.id());
      } catch (RuntimeException e) {
        o.log().accept("member " + o.id() + ": a leader listener failed: " + e);
      }
    }
  }

  // ---------------------------------------------------------------- stopping

  /** Fatal: stop everything, once, and say why. Never acknowledge what was not persisted. */
  private void fail(Throwable e, Failure.Site site) {
    Failure f = Failure.of(e, site, o.dataDir());
    if (!failure.compareAndSet(null, f)) {
      return;
    }
    o.log().accept("member " + o.id() + " stops: " + f.line());
    stopThreads();
    failPending();
    List<FailureListener> told;
    synchronized (failureListeners) {
      told = List.copyOf(failureListeners);
    }
    for (FailureListener l : told) {
      try {
        l.failed(f);
      } catch (RuntimeException le) {
        o.log().accept("member " + o.id() + ": a failure listener failed: " + le);
      }
    }
  }

  private void stopThreads() {
    running = false;
    ticker.shutdownNow();
    inbox.add(() -> { }); // wakes the loop so that it sees running == false
    writer.stop();
    applier.stop();
  }

  private void failPending() {
    for (CompletableFuture<?> f : List.copyOf(pending)) {
      f.completeExceptionally(stopped());
    }
  }

  /** Stops the threads, closes the transport and the storage. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    stopThreads();
    if (started.get()) {
      join(loopThread);
      join(storageThread);
      join(applyThread);
    }
    try {
      transport.close();
    } catch (RuntimeException e) {
      o.log().accept("member " + o.id() + ": closing the transport failed: " + e);
    }
    try {
      storage.close();
    } catch (IOException e) {
      o.log().accept("member " + o.id() + ": closing the storage failed: " + e);
    }
    failPending();
  }

  private static void join(Thread t) {
    if (t == Thread.currentThread()) {
      return; // close() called from a listener or the state machine
    }
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
