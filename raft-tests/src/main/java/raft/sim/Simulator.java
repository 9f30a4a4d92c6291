package raft.sim;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import raft.core.ReadState;
import raft.core.ReadyPipeline;
import raft.core.SoftState;
import raft.core.StateRole;
import raft.pb.Entry;
import raft.pb.Message;
import raft.pb.MessageType;
import raft.pb.Snapshot;

/**
 * A deterministic simulation of a Raft cluster: the real protocol code, carried out by the real
 * {@link ReadyPipeline} (the order a member runs: send at once, write asynchronously, reply and
 * count itself once durable), a virtual clock, and one priority queue of events (ticks, message
 * deliveries, client requests, faults, and each member's disk writes, fsyncs and applies, each
 * with its own latency, so that a crash can land between any two of them). Every random
 * choice comes from one generator seeded by {@link SimConfig#seed}, so a seed replays a run
 * exactly, byte for byte. After every event the {@link SafetyChecker} checks Raft's guarantees;
 * the first violation stops the run.
 *
 * <p>What it does not model of a real member: proposal batching (a real leader holds proposals
 * while a write is in flight, {@code ProposalBatcher}; here each client request is proposed at
 * once). That changes how many entries an append carries, never the order of sends, writes and
 * acknowledgements that the properties check.
 */
public final class Simulator {
  /** Virtual time units per tick; message delays are a few units. */
  public static final int TICK = 100;

  private final SimConfig cfg;
  private final SplittableRandom rnd;
  // Every member ever started, by id (ids are never reused); index 0 is unused.
  private final List<SimNode> nodes = new ArrayList<>();
  // The ids that have a process, up or crashed (to restart), in ascending order; a member
  // stopped for good (removed from the configuration) leaves it. Clients, crashes and
  // partitions pick from it.
  private final List<Integer> procs = new ArrayList<>();
  private final Network net = new Network();
  private final PriorityQueue<SimEvent> queue = new PriorityQueue<>();
  private final SafetyChecker checker;
  private final Nemesis nemesis;
  private final Consumer<String> trace;
  private final TraceTail tail = new TraceTail(40);
  final SimStats stats = new SimStats();
  private long now;
  private long seq;
  private final Map<Long, Long> readStartCommit = new HashMap<>();
  private long nextReadId = 1;
  private long nextProposal = 1;
  private final long healTime;
  /** Entries whose data starts with this are probes, timed by {@link #firstAppliedTime}. */
  public static final ByteString PROBE = ByteString.copyFromUtf8("probe:");
  private final Map<String, Long> firstApplied = new java.util.TreeMap<>();
  private final Map<ByteString, long[]> awaitingAck = new HashMap<>(); // data -> {node, time}
  private long maxEvents;
  private long events;
  private ByteString marker; // the proposal whose commit after healing proves liveness
  private ReplayRecorder recorder; // --html: samples the run; null unless asked for

  public Simulator(SimConfig cfg, Consumer<String> trace) {
    this.cfg = cfg;
    this.rnd = new SplittableRandom(cfg.seed);
    this.trace = trace;
    this.checker = new SafetyChecker(cfg.nodes, cfg.checks, cfg.bootstrapLog());
    nodes.add(null);
    List<Long> peers = new ArrayList<>();
    for (long i = 1; i <= cfg.nodes; i++) {
      peers.add(i);
    }
    for (int i = 1; i <= cfg.nodes; i++) {
      nodes.add(new SimNode(i, SimNode.initialStorage(cfg, peers)));
      procs.add(i);
    }
    this.healTime = Math.max(0, cfg.ticks - cfg.healedTail) * TICK;
    this.nemesis = new Nemesis(this, cfg, rnd, net);
  }

  // ---- the event loop ----

  enum Kind { TICK, DELIVER, PROPOSE, READ, FAULT, RESTART, HEAL_LINKS, CALM, HEAL, SNAP_OK,
    SNAP_FAILED, MARKER, DISK_WRITE, DISK_SYNC, APPLY }

  void schedule(long delay, Kind kind, int node, int arg, Message msg) {
    queue.add(new SimEvent(now + delay, seq++, kind, node, arg, msg));
  }

  void schedule(long delay, Kind kind, int node) {
    schedule(delay, kind, node, 0, null);
  }

  /** Runs to the end or to the first violation. */
  public SimResult run() {
    start();
    runUntil(() -> false, cfg.ticks);
    return result();
  }

  /** Starts the nodes, the client workload and the nemesis; then call {@link #runUntil}. */
  public void start() {
    for (int i : procs) {
      start(i, rnd.nextInt(TICK));
    }
    schedule(exp(cfg.proposalsPerTick), Kind.PROPOSE, 0);
    schedule(exp(cfg.readsPerTick), Kind.READ, 0);
    nemesis.begin(healTime);
    if (cfg.healedTail > 0) {
      schedule(healTime, Kind.HEAL, 0);
    }
    // A bound on work, so that a broken protocol's message storm ends too (a healthy run uses
    // a few dozen events per node per tick).
    // (With membership changes the cluster grows up to 7 voters and a few learners.)
    int size = cfg.faults.contains(SimConfig.Fault.MEMBERS) ? Math.max(cfg.nodes, 9) : cfg.nodes;
    maxEvents = cfg.ticks * size * 200L;
  }

  /**
   * Processes events until {@code done} holds (checked after every event), a violation, or
   * tick {@code untilTick}. Returns whether {@code done} became true. Scripted tests (Figure 8)
   * drive the cluster with this and the fault methods below.
   */
  public boolean runUntil(java.util.function.BooleanSupplier done, long untilTick) {
    long end = Math.min(untilTick, cfg.ticks) * TICK;
    while (!queue.isEmpty() && checker.ok()) {
      if (queue.peek().time() > end) {
        now = end;
        return false;
      }
      SimEvent e = queue.poll();
      if (recorder != null) {
        recorder.before(e.time());
      }
      if (++events > maxEvents) {
        stats.runaway = true;
        log("stopped: more than " + maxEvents + " events (a message storm)");
        return false;
      }
      now = e.time();
      try {
        handle(e);
      } catch (RuntimeException ex) {
        // The protocol refused to go on (an internal invariant failed, like etcd's panics):
        // as much a safety failure as a violated property.
        checker.panic(ex);
        return false;
      }
      checker.afterStep(nodes, procs);
      if (done.getAsBoolean()) {
        return true;
      }
    }
    return false;
  }

  /** Records the run for a replay (scripts/simulate --html); call before {@link #run}. */
  void record(ReplayRecorder r) {
    this.recorder = r;
  }

  Network network() {
    return net;
  }

  // ---- for scripted tests ----

  public long nowTicks() {
    return now / TICK;
  }

  public long now() {
    return now;
  }

  public SimStats stats() {
    return stats;
  }

  public raft.core.Raft raft(int i) {
    return i < nodes.size() && node(i).up() ? node(i).node.raft() : null;
  }

  SimNode node(int i) {
    return nodes.get(i);
  }

  /** The ids with a process (up or crashed), ascending. */
  List<Integer> procs() {
    return procs;
  }

  /** The configuration at the highest index any state machine applied (a committed one). */
  raft.pb.ConfState committedConf() {
    return checker.committedConf();
  }

  /** The highest id ever started. */
  int maxId() {
    return nodes.size() - 1;
  }

  /** A process chosen at random (for 1..n, the same draw as {@code 1 + nextInt(n)}). */
  int pickProc() {
    return procs.get(rnd.nextInt(procs.size()));
  }

  public void crashNode(int i) {
    crash(i, " (scripted)");
  }

  public void restartNode(int i) {
    restart(i);
  }

  /** Cuts the link from one node to another, one way. */
  public void cut(int from, int to) {
    net.cutOneWay(from, to);
    log("partition: n" + from + " -/-> n" + to + " (scripted)");
  }

  public void isolateNode(int i) {
    net.isolate(java.util.Set.of((long) i), maxId());
    log("partition: n" + i + " isolated (scripted)");
  }

  /** A disk that stops completing writes (a stalled or very slow disk), until released. */
  public void stallDisk(int i, boolean stalled) {
    node(i).diskStalled = stalled;
    log("n" + i + "'s disk " + (stalled ? "stalls" : "runs again") + " (scripted)");
  }

  public void healNetwork() {
    nemesis.healLinks();
  }

  /**
   * Starts the process of a new member with an EMPTY storage (no peers); returns its id, the
   * next never-used one. Add it to the configuration with {@link #proposeConfChange}.
   */
  public int addMember() {
    int id = maxId() + 1;
    startNew(id);
    return id;
  }

  /** Proposes a membership change to node i; false if it was dropped or refused. */
  public boolean proposeConfChange(int i, raft.pb.ConfChangeV2 cc) {
    boolean ok = node(i).node.proposeConfChange(cc);
    log("members: " + Configs.describe(cc) + (ok ? " proposed to" : " refused by") + " n" + i
        + " (scripted)");
    processReady(node(i));
    return ok;
  }

  /** The configuration in force at node i (its latest, thesis §4.1); null if it is down. */
  public raft.pb.ConfState confState(int i) {
    return raft(i) == null ? null : raft(i).confState();
  }

  /**
   * The configuration node i will be in when it next runs (thesis §4.1: the latest in its
   * log): its core's if it is up, else the one its disk holds, which a restart recovers.
   */
  raft.pb.ConfState latestConf(int i) {
    if (raft(i) != null) {
      return raft(i).confState();
    }
    raft.log.MemoryStorage d = node(i).durable;
    var h = new raft.confchange.ConfHistory(d.snapshot().getMetadata().getConfState(),
        d.snapshot().getMetadata().getIndex());
    h.onAppend(d.entries(d.firstIndex(), d.lastIndex() + 1, Long.MAX_VALUE), d.lastIndex());
    return h.current();
  }

  /** The distinct configurations committed so far (founding one included). */
  public long committedConfigurations() {
    return checker.committedConfigurations();
  }

  public boolean proposeAt(int i, String data) {
    boolean ok = node(i).node.propose(ByteString.copyFromUtf8(data));
    processReady(node(i));
    return ok;
  }

  private void handle(SimEvent e) {
    switch (e.kind()) {
      case TICK -> onTick(e);
      case DELIVER -> deliver(e);
      case PROPOSE -> {
        propose();
        schedule(exp(cfg.proposalsPerTick), Kind.PROPOSE, 0);
      }
      case READ -> {
        read();
        schedule(exp(cfg.readsPerTick), Kind.READ, 0);
      }
      case FAULT -> nemesis.fault(now < healTime);
      case RESTART -> restart(e.node());
      case HEAL_LINKS -> nemesis.healLinks();
      case CALM -> nemesis.calm();
      case HEAL -> heal();
      case SNAP_OK, SNAP_FAILED -> {
        SimNode sn = node(e.node());
        if (sn.up()) {
          sn.node.reportSnapshot(e.arg(), e.kind() == Kind.SNAP_OK);
          processReady(sn);
        }
      }
      case MARKER -> proposeMarker();
      case DISK_WRITE -> diskWrite(e);
      case DISK_SYNC -> diskSync(e);
      case APPLY -> applyNext(e);
    }
  }

  private long exp(double perTick) {
    if (perTick <= 0) {
      return Long.MAX_VALUE / 4;
    }
    return 1 + (long) (-Math.log(1 - rnd.nextDouble()) * TICK / perTick);
  }

  // ---- nodes ----

  private void start(int i, long firstTickDelay) {
    SimNode sn = node(i);
    sn.start(cfg, cfg.seed, w -> write(sn, w), m -> send(sn, m), new ToStateMachine(sn));
    checker.onApply(sn); // the state machine restored from the snapshot must match history
    schedule(firstTickDelay, Kind.TICK, i, sn.incarnation, null);
  }

  private void onTick(SimEvent e) {
    SimNode sn = node(e.node());
    if (!sn.up() || sn.incarnation != e.arg()) {
      return; // a tick of a node that crashed since
    }
    sn.node.tick();
    processReady(sn);
    schedule(TICK, Kind.TICK, e.node(), e.arg(), null);
  }

  void crash(int i, String why) {
    SimNode sn = node(i);
    if (!sn.up()) {
      return;
    }
    String kept = sn.crash(rnd);
    log("n" + i + " crashed" + why + kept);
  }

  void restart(int i) {
    if (node(i).up() || node(i).stopped) {
      return;
    }
    start(i, 1 + rnd.nextInt(TICK));
    log("n" + i + " restarted from disk (term " + node(i).node.raft().term() + ", commit "
        + node(i).node.raft().log().commitIndex() + ")");
  }

  /**
   * Starts the process of a member just added to the configuration: a never-used id and an
   * EMPTY storage (no peers): it learns the membership from what the leader sends it.
   */
  void startNew(int id) {
    if (id != nodes.size()) {
      throw new IllegalArgumentException("ids are handed out in order: expected "
          + nodes.size() + ", got " + id);
    }
    nodes.add(new SimNode(id, new raft.log.MemoryStorage()));
    procs.add(id);
    stats.membersAdded++;
    start(id, 1 + rnd.nextInt(TICK));
    log("n" + id + " started with an empty log");
  }

  /** Stops a member's process for good (a removed member); its id is never used again. */
  void stop(int id, String why) {
    crash(id, "");
    node(id).stopped = true;
    procs.remove(Integer.valueOf(id));
    stats.membersStopped++;
    log("n" + id + " stopped for good" + why);
  }

  private void heal() {
    nemesis.healLinks();
    nemesis.calm();
    if (cfg.faults.contains(SimConfig.Fault.MEMBERS)) {
      nemesis.healMembers(cfg.downAfterHeal);
    } else {
      healFixed();
    }
    stats.backlogAtHeal = backlog();
    marker = ByteString.copyFromUtf8("after-heal");
    proposeMarker();
  }

  /** The most uncommitted entries any live node holds (read only: changes no run). */
  private long backlog() {
    long most = 0;
    for (int i : procs) {
      SimNode sn = node(i);
      if (sn.up()) {
        raft.core.RaftNode.Status st = sn.node.status();
        most = Math.max(most, st.lastIndex() - st.commitIndex());
      }
    }
    return most;
  }

  private void healFixed() {
    int up = cfg.nodes - cfg.downAfterHeal;
    for (int i = 1; i <= cfg.nodes; i++) {
      if (i <= up) {
        restart(i);
      } else {
        crash(i, " for good");
      }
    }
    log("healed: " + up + " of " + cfg.nodes + " nodes up, no partitions, no drops");
  }

  /** Offers the liveness marker to some node every tick until a leader takes it. */
  private void proposeMarker() {
    if (stats.recoveryTicks >= 0) {
      return;
    }
    SimNode sn = node(pickProc());
    if (sn.up()) {
      sn.node.propose(marker);
      processReady(sn);
    }
    schedule(TICK, Kind.MARKER, 0);
  }

  /** The first live process (by id) that believes it leads, or 0. */
  int leader() {
    for (int i : procs) {
      if (node(i).up() && node(i).node.raft().role() == StateRole.LEADER) {
        return i;
      }
    }
    return 0;
  }

  /** The leader of the highest term among live processes (a stale one may linger), or 0. */
  int newestLeader() {
    int best = 0;
    for (int i : procs) {
      raft.core.Raft r = raft(i);
      if (r != null && r.role() == StateRole.LEADER
          && (best == 0 || r.term() > raft(best).term())) {
        best = i;
      }
    }
    return best;
  }

  // ---- clients ----

  private void propose() {
    SimNode sn = node(pickProc());
    if (!sn.up()) {
      return;
    }
    stats.proposals++;
    ByteString data = ByteString.copyFromUtf8("v" + nextProposal++);
    if (cfg.measureLatency) {
      awaitingAck.put(data, new long[] {sn.id, now});
    }
    sn.node.propose(data);
    processReady(sn);
  }

  private void read() {
    SimNode sn = node(pickProc());
    if (!sn.up()) {
      return;
    }
    long id = nextReadId++;
    readStartCommit.put(id, checker.maxCommit());
    sn.node.readIndex(ByteString.copyFromUtf8(Long.toString(id)));
    processReady(sn);
  }

  private void serveReads(SimNode sn) {
    while (!sn.readsAwaitingApply.isEmpty()
        && sn.readsAwaitingApply.peek()[0] <= sn.appliedIndex) {
      long id = sn.readsAwaitingApply.poll()[1];
      Long start = readStartCommit.remove(id);
      if (start != null) { // a duplicated response is served once
        checker.onReadServed(sn, id, start);
        stats.reads++;
      }
    }
  }

  // ---- the runtime: the node's ReadyPipeline, with the disk and apply thread as events ----

  void processReady(SimNode sn) {
    if (checker.ok()) {
      sn.pipeline.drain();
    }
  }

  /** The pipeline hands a write to the storage thread: it waits its turn in the disk's queue. */
  private void write(SimNode sn, ReadyPipeline.Write w) {
    if (!w.ready().entries().isEmpty()) {
      checker.onAppend(sn, w.ready().entries());
    }
    sn.writeQueue.add(w);
    startDiskWrite(sn);
  }

  /** An idle disk takes every queued write at once (group commit), as StorageWriter does. */
  private void startDiskWrite(SimNode sn) {
    if (!sn.diskBusy && !sn.writeQueue.isEmpty()) {
      sn.diskBusy = true;
      schedule(1 + rnd.nextInt(cfg.maxWriteDelay), Kind.DISK_WRITE, (int) sn.id,
          sn.incarnation, null);
    }
  }

  private void diskWrite(SimEvent e) {
    SimNode sn = node(e.node());
    if (!sn.up() || sn.incarnation != e.arg()) {
      return;
    }
    if (sn.diskStalled) {
      schedule(TICK, Kind.DISK_WRITE, e.node(), e.arg(), null);
      return;
    }
    sn.inFlight = List.copyOf(sn.writeQueue);
    sn.writeQueue.clear();
    boolean sync = false;
    for (ReadyPipeline.Write w : sn.inFlight) {
      sn.written(w.ready());
      sync |= w.ready().mustSync();
    }
    if (sync) {
      schedule(1 + rnd.nextInt(cfg.maxFsyncDelay), Kind.DISK_SYNC, e.node(), e.arg(), null);
    } else {
      finishDiskWrite(sn);
    }
  }

  private void diskSync(SimEvent e) {
    SimNode sn = node(e.node());
    if (sn.up() && sn.incarnation == e.arg()) {
      sn.synced();
      finishDiskWrite(sn);
    }
  }

  /** The storage thread reports the writes durable; the loop finishes them. */
  private void finishDiskWrite(SimNode sn) {
    List<ReadyPipeline.Write> done = sn.inFlight;
    sn.inFlight = List.of();
    sn.diskBusy = false;
    for (ReadyPipeline.Write w : done) {
      if (!sn.up() || !checker.ok()) {
        return;
      }
      sn.pipeline.written(w);
    }
    startDiskWrite(sn);
  }

  /** The state machine's side of the pipeline: the apply thread's queue, and the reads. */
  private final class ToStateMachine implements ReadyPipeline.StateMachineQueue {
    private final SimNode sn;

    ToStateMachine(SimNode sn) {
      this.sn = sn;
    }

    @Override
    public void apply(Snapshot snapshot, List<Entry> committed) {
      sn.applyQueue.add(new SimNode.ApplyBatch(snapshot, committed));
      startApply(sn);
    }

    @Override
    public void read(ReadState rs) {
      sn.readsAwaitingApply.add(new long[] {rs.index(),
          Long.parseLong(rs.requestCtx().toStringUtf8())});
      serveReads(sn);
    }

    @Override
    public void softState(SoftState ss) {
      onSoftState(sn, ss);
    }
  }

  private void startApply(SimNode sn) {
    if (!sn.applyBusy && !sn.applyQueue.isEmpty()) {
      sn.applyBusy = true;
      schedule(1 + rnd.nextInt(cfg.maxApplyDelay), Kind.APPLY, (int) sn.id, sn.incarnation,
          null);
    }
  }

  private void applyNext(SimEvent e) {
    SimNode sn = node(e.node());
    if (!sn.up() || sn.incarnation != e.arg()) {
      return;
    }
    sn.applyBusy = false;
    apply(sn, sn.applyQueue.poll());
    sn.maybeCompact(cfg);
    startApply(sn);
  }

  private void apply(SimNode sn, SimNode.ApplyBatch b) {
    if (b.snapshot() != null) {
      sn.restoreSnapshot(b.snapshot());
      stats.snapshotsInstalled++;
      checker.onApply(sn);
      log("n" + sn.id + " installed snapshot at index " + sn.appliedIndex);
    }
    for (Entry e : b.entries()) {
      sn.apply(e);
      checker.onApply(sn);
      observe(sn, e);
      if (marker != null && stats.recoveryTicks < 0 && e.getData().equals(marker)) {
        stats.recoveryTicks = (now - healTime) / TICK;
        log("n" + sn.id + " applied the post-heal proposal at index " + e.getIndex());
      }
    }
    if ((trace != null || recorder != null) && !b.entries().isEmpty()) {
      traceCommits(sn); // its fields serve only these lines: no effect on the run
    }
    serveReads(sn);
  }

  /** One line per leader per 10 ticks at most: how many entries it committed since the last. */
  private void traceCommits(SimNode sn) {
    if (sn.node.raft().role() != StateRole.LEADER || now < sn.nextCommitTrace) {
      return;
    }
    String line = "n" + sn.id + " committed " + (sn.appliedIndex - sn.lastTracedCommit)
        + " entries, up to index " + sn.appliedIndex;
    if (trace != null) {
      log(line);
    } else {
      // Not into the trace tail: a failing run prints that tail, and must print the same
      // lines with --html as without it.
      recorder.logged(now, line);
    }
    sn.lastTracedCommit = sn.appliedIndex;
    sn.nextCommitTrace = now + 10L * TICK;
  }

  /** Records probes (first commit time) and, if asked, client-observed commit latency. */
  private void observe(SimNode sn, Entry e) {
    ByteString d = e.getData();
    if (d.startsWith(PROBE)) {
      firstApplied.putIfAbsent(d.toStringUtf8(), now);
    }
    if (cfg.measureLatency) {
      long[] p = awaitingAck.get(d);
      if (p != null && p[0] == sn.id) { // the proposer's node applied it: the client hears back
        awaitingAck.remove(d);
        stats.latencies.add(now - p[1]);
      }
    }
  }

  /**
   * The earliest virtual time (in units, see {@link #TICK}) at which any node applied an entry
   * whose data starts with {@code prefix} (a probe proposed with {@link #proposeAt}); -1 if none.
   */
  public long firstAppliedTime(String prefix) {
    long t = -1;
    for (var e : firstApplied.entrySet()) {
      if (e.getKey().startsWith(prefix) && (t < 0 || e.getValue() < t)) {
        t = e.getValue();
      }
    }
    return t;
  }

  private void onSoftState(SimNode sn, SoftState ss) {
    long term = sn.node.raft().term();
    switch (ss.role()) {
      case CANDIDATE -> stats.elections++;
      case LEADER -> stats.leaders++;
      default -> { }
    }
    if (ss.role() == StateRole.FOLLOWER) {
      log("n" + sn.id + " is follower at term " + term
          + (ss.lead() == 0 ? " (no leader known)" : " of leader n" + ss.lead()));
    } else {
      log("n" + sn.id + " became " + ss.role().name().toLowerCase().replace('_', '-')
          + " at term " + term);
    }
  }

  // ---- the network ----

  private void send(SimNode sn, Message m) {
    MessageType t = m.getType();
    if (t == MessageType.MSG_APP_RESP || t == MessageType.MSG_VOTE_RESP) {
      checker.onReply(sn, m);
    }
    send((int) sn.id, m);
  }

  private void send(int from, Message m) {
    int to = (int) m.getTo();
    if (!net.linked(from, to) || rnd.nextDouble() < net.dropRate) {
      snapshotFailed(from, to, m);
      return;
    }
    schedule(delay(), Kind.DELIVER, to, from, m);
    boolean duplicated = net.dupRate > 0 && rnd.nextDouble() < net.dupRate;
    if (duplicated) {
      schedule(delay(), Kind.DELIVER, to, from, m);
    }
    if (recorder != null) {
      recorder.sent(now, from, to, m.getType(), duplicated ? 2 : 1);
    }
  }

  private long delay() {
    return net.minDelay + rnd.nextInt(net.maxDelay - net.minDelay + 1);
  }

  private void deliver(SimEvent e) {
    SimNode sn = e.node() < nodes.size() ? node(e.node()) : null;
    if (sn == null || !sn.up() || !net.linked(e.arg(), e.node())) {
      snapshotFailed(e.arg(), e.node(), e.msg());
      return;
    }
    stats.messages++;
    tail.add(now, e.arg(), e.msg());
    sn.node.step(e.msg());
    processReady(sn);
    if (e.msg().getType() == MessageType.MSG_SNAP) {
      schedule(delay(), Kind.SNAP_OK, e.arg(), e.node(), null); // delivered: report success
    }
  }

  /** The sender's transport notices a snapshot it could not deliver, and reports it. */
  private void snapshotFailed(int from, int to, Message m) {
    if (m.getType() == MessageType.MSG_SNAP) {
      schedule(net.maxDelay, Kind.SNAP_FAILED, from, to, null);
    }
  }

  // ---- output ----

  void log(String line) {
    String stamped = "[" + formatTime(now) + "] " + line;
    tail.add(stamped);
    if (recorder != null) {
      recorder.logged(now, line);
    }
    if (trace != null) {
      trace.accept(stamped);
    }
  }

  static String formatTime(long t) {
    long frac = t % TICK;
    return "tick " + (t / TICK) + "." + (frac < 10 ? "0" : "") + frac;
  }

  public SimResult result() {
    return new SimResult(cfg, checker.property(), checker.detail(), now / TICK, stats,
        checker.maxCommit(), checker.ok() && !stats.runaway ? List.of() : tail.lines(),
        checker.committedConfigurations());
  }
}
