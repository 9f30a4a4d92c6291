package raft.sim;

import com.google.protobuf.ByteString;
import java.util.ArrayDeque;
import java.util.List;
import java.util.SplittableRandom;
import raft.core.Config;
import raft.core.RaftNode;
import raft.core.Ready;
import raft.core.ReadyPipeline;
import raft.log.MemoryStorage;
import raft.pb.ConfState;
import raft.pb.Entry;
import raft.pb.HardState;
import raft.pb.Snapshot;

/**
 * One simulated member, with a disk modelled as a real one behaves:
 * <ul>
 *   <li>{@link #durable}: what survives a crash (fsynced);</li>
 *   <li>{@link #unsynced}: writes that reached the disk but no fsync yet; a crash keeps a random
 *       prefix of them, the last one possibly torn (some of its entries, no hard state), as a
 *       WAL's torn-tail repair leaves it;</li>
 *   <li>{@link #writeQueue}: writes handed over by the {@link ReadyPipeline} and not yet
 *       written: the storage thread's queue, lost in a crash;</li>
 *   <li>{@link #disk}: what the node reads, everything written so far.</li>
 * </ul>
 * While up it has a RaftNode, its pipeline, and a volatile state machine with its own queue
 * (the apply thread). A crash drops everything but {@link #durable} and what it keeps of
 * {@link #unsynced}.
 */
final class SimNode {
  final long id;
  final MemoryStorage durable;
  MemoryStorage disk;
  final ArrayDeque<Ready> unsynced = new ArrayDeque<>();
  final ArrayDeque<ReadyPipeline.Write> writeQueue = new ArrayDeque<>();
  boolean diskBusy;
  boolean diskStalled; // scripted: writes wait until released (or the node crashes)
  RaftNode node; // null while crashed
  boolean stopped; // stopped for good (removed from the configuration): never restarts
  ReadyPipeline pipeline;
  int incarnation;

  // The state machine: how far it applied, and a digest of everything applied (a rolling hash
  // of each entry's term and data), which is what a snapshot carries.
  long appliedIndex;
  long appliedTerm;
  long digest;
  // The configuration in force at appliedIndex, as the state machine sees it (a real server
  // keeps it the same way): what a snapshot taken at appliedIndex records.
  ConfState confState = ConfState.getDefaultInstance();
  /** Committed entries (after a snapshot to restore, if any) handed to the state machine. */
  record ApplyBatch(Snapshot snapshot, List<Entry> entries) {}

  // Batches handed to the state machine and not yet applied: the apply thread's queue.
  final ArrayDeque<ApplyBatch> applyQueue = new ArrayDeque<>();
  // The writes of the disk's current write, reported once written (and fsynced if asked).
  List<ReadyPipeline.Write> inFlight = List.of();
  boolean applyBusy;
  // Reads confirmed by ReadIndex, waiting for appliedIndex to reach their index.
  final ArrayDeque<long[]> readsAwaitingApply = new ArrayDeque<>(); // {readIndex, readId}
  // Checker state: last seen leader position, for Leader Append-Only.
  long leaderTerm;
  long leaderLastIndex;
  long leaderLastTerm;
  long nextCommitTrace; // when --trace may print this node's next commit line
  long lastTracedCommit;
  // For "the term never goes backwards": within a life, and across a crash from what the disk
  // holds (a term raised in memory and lost in a crash promised nothing: every reply that
  // depends on it waits for the write, Figure 2).
  long lastTerm;
  // Checker state for Leader Completeness, while this node leads completenessTerm.
  long completenessTerm;
  long completenessScanned;
  long completenessIndex;
  // Checker state for the configuration (MemberChecks): what the core had at its last entry
  // when last recorded, the configuration before the current event, and how far this node's
  // commits as leader of leaderCheckedTerm were checked against a quorum of disks.
  long coreConfIndex = -1;
  long coreConfTerm;
  ConfState coreConf;
  ConfState prevConf;
  long quorumChecked;
  long leaderCheckedTerm;

  SimNode(long id, MemoryStorage initial) {
    this.id = id;
    this.durable = initial;
  }

  /**
   * A founding member's disk. With membership changes, the log starts with one committed
   * ConfChange per founding member, as etcd's Bootstrap writes it, so that a member added
   * later, with an empty storage, learns the whole membership from the log the leader sends.
   * Without, the voters are in the storage's initial snapshot (the runs the seeds of the
   * README name stay the same).
   */
  static MemoryStorage initialStorage(SimConfig cfg, List<Long> peers) {
    return cfg.bootstrapLog() ? Configs.bootstrap(peers) : MemoryStorage.bootstrap(peers);
  }

  void start(SimConfig cfg, long runSeed, ReadyPipeline.Disk d, ReadyPipeline.Network net,
      ReadyPipeline.StateMachineQueue sm) {
    disk = durable.copy();
    // A snapshot holds only committed entries, so the commit index is at least the snapshot's,
    // even if the latest commit index was never synced.
    long snapIndex = disk.snapshot().getMetadata().getIndex();
    HardState hs = disk.hardState();
    if (hs.getCommit() < snapIndex) {
      disk.setHardState(hs.toBuilder().setCommit(snapIndex).build());
    }
    Config c = new Config();
    c.id = id;
    c.storage = disk;
    c.electionTick = cfg.electionTick;
    c.heartbeatTick = cfg.heartbeatTick;
    c.maxSizePerMsg = cfg.maxSizePerMsg;
    c.maxInflightMsgs = cfg.maxInflightMsgs;
    c.random = new SplittableRandom(runSeed * 31 + id * 1_000_003L + incarnation);
    // The state machine restarts from the last snapshot on disk.
    var snap = disk.snapshot();
    appliedIndex = snap.getMetadata().getIndex();
    appliedTerm = snap.getMetadata().getTerm();
    confState = snap.getMetadata().getConfState();
    digest = snap.getData().isEmpty() ? 0 : snap.getData().asReadOnlyByteBuffer().getLong();
    c.applied = appliedIndex;
    node = new RaftNode(cfg.raftFactory.apply(c));
    pipeline = new ReadyPipeline(node, d, net, sm);
    incarnation++;
  }

  /**
   * The power goes: the disk keeps what was fsynced and, of what was written since, a random
   * prefix, the last write possibly torn. Returns a description of what survived.
   */
  String crash(SplittableRandom rnd) {
    int written = unsynced.size();
    int keep = rnd.nextInt(written + 1);
    String torn = "";
    for (int i = 0; i < keep; i++) {
      ReadyPipeline.writeTo(durable, unsynced.poll());
    }
    Ready next = unsynced.peek();
    if (next != null && next.snapshot() == null && next.entries().size() > 1
        && rnd.nextBoolean()) {
      List<Entry> part = next.entries().subList(0, 1 + rnd.nextInt(next.entries().size() - 1));
      durable.append(part);
      torn = ", torn after index " + part.get(part.size() - 1).getIndex();
    }
    unsynced.clear();
    lastTerm = durable.hardState().getTerm();
    writeQueue.clear();
    inFlight = List.of();
    diskBusy = false;
    diskStalled = false;
    applyQueue.clear();
    applyBusy = false;
    node = null;
    pipeline = null;
    readsAwaitingApply.clear();
    return written == 0 ? "" : " (kept " + keep + " of " + written + " unsynced writes" + torn
        + ")";
  }

  boolean up() {
    return node != null;
  }

  /** A write reached the disk (not yet durable). */
  void written(Ready rd) {
    ReadyPipeline.writeTo(disk, rd);
    unsynced.add(rd);
  }

  /** An fsync: every write so far is durable. */
  void synced() {
    for (Ready rd; (rd = unsynced.poll()) != null; ) {
      ReadyPipeline.writeTo(durable, rd);
    }
  }

  void apply(Entry e) {
    appliedIndex = e.getIndex();
    digest = mix(digest, e.getTerm(), e.getData());
    appliedTerm = e.getTerm();
    confState = Configs.afterEntry(confState, e);
  }

  void restoreSnapshot(Snapshot s) {
    appliedIndex = s.getMetadata().getIndex();
    appliedTerm = s.getMetadata().getTerm();
    digest = s.getData().asReadOnlyByteBuffer().getLong();
    confState = s.getMetadata().getConfState();
  }

  ByteString snapshotData() {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (digest >>> (56 - 8 * i));
    }
    return ByteString.copyFrom(b);
  }

  /**
   * §7: the state machine snapshots itself and the log is compacted. A real member fsyncs the
   * snapshot file and its WAL marker before compacting, so both copies change at once; the
   * applied entries are durable already (a Ready hands out only persisted ones).
   */
  void maybeCompact(SimConfig cfg) {
    long snapIndex = disk.snapshot().getMetadata().getIndex();
    if (cfg.snapshotEvery <= 0 || appliedIndex - snapIndex < cfg.snapshotEvery) {
      return;
    }
    for (MemoryStorage s : new MemoryStorage[] {disk, durable}) {
      // §7: the configuration as of the snapshot's index, as the state machine folded it from
      // the entries it applied (a real server keeps it so; MemberChecks compares it with the
      // core's at every index).
      s.createSnapshot(appliedIndex, confState, snapshotData());
      long compactTo = appliedIndex - cfg.keepAfterSnapshot;
      if (compactTo > snapIndex) {
        s.compact(compactTo);
      }
    }
  }

  static long mix(long digest, long term, ByteString data) {
    long h = digest * 0x9E3779B97F4A7C15L + term;
    return h * 31 + data.hashCode();
  }
}
