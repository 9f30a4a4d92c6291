package raft.sim;

import com.google.protobuf.ByteString;
import java.util.ArrayDeque;
import java.util.List;
import java.util.SplittableRandom;
import raft.core.Config;
import raft.core.RaftNode;
import raft.pb.ConfState;
import raft.pb.Entry;
import raft.pb.HardState;
import raft.log.MemoryStorage;

/**
 * One simulated member: its "disk" (a MemoryStorage plus the last fsynced hard state), and, while
 * up, a RaftNode and a volatile state machine. A crash drops everything but the disk; a hard
 * state written without fsync (a commit-index change, which Ready marks mustSync=false) is lost.
 */
final class SimNode {
  final long id;
  final MemoryStorage disk;
  private HardState syncedHardState = HardState.getDefaultInstance();
  RaftNode node; // null while crashed
  int incarnation;

  // The state machine: how far it applied, and a digest of everything applied (a rolling hash
  // of each entry's term and data), which is what a snapshot carries.
  long appliedIndex;
  long digest;
  // Reads confirmed by ReadIndex, waiting for appliedIndex to reach their index.
  final ArrayDeque<long[]> readsAwaitingApply = new ArrayDeque<>(); // {readIndex, readId}
  // Checker state: last seen leader position, for Leader Append-Only.
  long leaderTerm;
  long leaderLastIndex;
  long leaderLastTerm;
  long nextCommitTrace; // when --trace may print this node's next commit line
  long lastTracedCommit;
  long lastTerm; // for "term never goes backwards", across restarts
  // Checker state for Leader Completeness, while this node leads completenessTerm.
  long completenessTerm;
  long completenessScanned;
  long completenessIndex;

  SimNode(long id, List<Long> peers) {
    this.id = id;
    this.disk = MemoryStorage.bootstrap(peers);
  }

  void start(SimConfig cfg, long runSeed) {
    // What survived the crash. A snapshot holds only committed entries, so the commit index is
    // at least the snapshot's, even if the latest commit index was never synced.
    long snapIndex = disk.snapshot().getMetadata().getIndex();
    if (syncedHardState.getCommit() < snapIndex) {
      syncedHardState = syncedHardState.toBuilder().setCommit(snapIndex).build();
    }
    disk.setHardState(syncedHardState);
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
    digest = snap.getData().isEmpty() ? 0 : snap.getData().asReadOnlyByteBuffer().getLong();
    c.applied = appliedIndex;
    node = new RaftNode(cfg.raftFactory.apply(c));
    incarnation++;
  }

  void crash() {
    node = null;
    readsAwaitingApply.clear();
  }

  boolean up() {
    return node != null;
  }

  void persistHardState(HardState hs, boolean sync) {
    disk.setHardState(hs);
    if (sync) {
      syncedHardState = hs;
    }
  }

  /** Any later fsync also makes the earlier unsynced hard state durable. */
  void sync() {
    syncedHardState = disk.hardState();
  }

  void apply(Entry e) {
    appliedIndex = e.getIndex();
    digest = mix(digest, e.getTerm(), e.getData());
  }

  void restoreSnapshot(long index, ByteString data) {
    appliedIndex = index;
    digest = data.asReadOnlyByteBuffer().getLong();
  }

  ByteString snapshotData() {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (digest >>> (56 - 8 * i));
    }
    return ByteString.copyFrom(b);
  }

  void maybeCompact(SimConfig cfg) {
    long snapIndex = disk.snapshot().getMetadata().getIndex();
    if (cfg.snapshotEvery <= 0 || appliedIndex - snapIndex < cfg.snapshotEvery) {
      return;
    }
    ConfState cs = disk.snapshot().getMetadata().getConfState();
    disk.createSnapshot(appliedIndex, cs, snapshotData());
    long compactTo = appliedIndex - cfg.keepAfterSnapshot;
    if (compactTo > snapIndex) {
      disk.compact(compactTo);
    }
  }

  static long mix(long digest, long term, ByteString data) {
    long h = digest * 0x9E3779B97F4A7C15L + term;
    return h * 31 + data.hashCode();
  }
}
