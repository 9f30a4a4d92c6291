package raft.bench;

import com.google.protobuf.ByteString;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import raft.core.Config;
import raft.core.RaftNode;
import raft.core.ReadState;
import raft.core.ReadyPipeline;
import raft.core.StateRole;
import raft.pb.ConfState;
import raft.pb.Entry;
import raft.pb.Message;
import raft.pb.Snapshot;
import raft.log.MemoryStorage;

/**
 * A cluster of pure {@link RaftNode}s wired by an in-memory network, for {@link CoreCommit}: no
 * threads, no clocks, no serialization. Each member's "disk" is a {@link MemoryStorage}; a Ready
 * is carried out by {@link ReadyPipeline#synchronous} (send, write, acknowledge, apply: every
 * write durable at once), and queued messages are delivered in FIFO order by {@code step} on
 * their target. Not thread-safe; one benchmark thread owns it.
 */
final class CoreCluster {
  /** Every this many applied entries a member snapshots and compacts, so memory stays bounded. */
  static final long COMPACT_EVERY = 10_000;
  /** Entries kept after compaction, far more than a follower here ever lags behind. */
  static final long KEEP_AFTER_COMPACT = 1_000;
  /** A guard against a livelock bug turning a benchmark into a hang. */
  private static final int MAX_ROUNDS = 1_000_000;

  /** One member: the node, its storage, and how far its (empty) state machine applied. */
  final class Member implements ReadyPipeline.StateMachineQueue {
    final long id;
    final MemoryStorage storage;
    final RaftNode node;
    final ReadyPipeline pipeline;
    long applied;

    Member(long id, MemoryStorage storage, RaftNode node) {
      this.id = id;
      this.storage = storage;
      this.node = node;
      this.pipeline = ReadyPipeline.synchronous(node, storage, inFlight::add, this);
    }

    @Override
    public void apply(Snapshot snapshot, List<Entry> committed) {
      if (snapshot != null) {
        applied = snapshot.getMetadata().getIndex();
      }
      if (!committed.isEmpty()) {
        applied = committed.get(committed.size() - 1).getIndex();
      }
    }

    @Override
    public void read(ReadState rs) { }
  }

  private final ArrayDeque<Message> inFlight = new ArrayDeque<>();
  private final List<Member> members = new ArrayList<>();

  /** Members n1..n{@code size}, brand new, with election jitter seeded from {@code seed}. */
  CoreCluster(int size, long seed) {
    List<Long> peers = new ArrayList<>();
    for (long id = 1; id <= size; id++) {
      peers.add(id);
    }
    for (long id : peers) {
      MemoryStorage storage = MemoryStorage.bootstrap(peers);
      Config c = new Config();
      c.id = id;
      c.storage = storage;
      c.random = new SplittableRandom(seed * 31 + id);
      members.add(new Member(id, storage, new RaftNode(c)));
    }
  }

  List<Member> members() {
    return members;
  }

  /** Ticks every member until one leader is known to all, and its first entry is committed. */
  Member electLeader(int maxTicks) {
    for (int t = 0; t < maxTicks; t++) {
      for (Member m : members) {
        m.node.tick();
      }
      pump();
      Member leader = agreedLeader();
      if (leader != null) {
        return leader;
      }
    }
    throw new IllegalStateException("no leader after " + maxTicks + " ticks");
  }

  private Member agreedLeader() {
    for (Member m : members) {
      if (m.node.raft().role() == StateRole.LEADER) {
        boolean all = members.stream().allMatch(o -> o.node.raft().lead() == m.id);
        return all ? m : null;
      }
    }
    return null;
  }

  /**
   * Carries out every Ready and delivers every message until the cluster is quiet: the leader
   * has committed and applied what was proposed and has told the followers, who applied it too.
   */
  void pump() {
    for (int round = 0; round < MAX_ROUNDS; round++) {
      boolean progress = false;
      for (Member m : members) {
        if (m.node.hasReady()) {
          m.pipeline.drain();
          maybeCompact(m);
          progress = true;
        }
      }
      while (!inFlight.isEmpty()) {
        Message msg = inFlight.poll();
        members.get((int) msg.getTo() - 1).node.step(msg);
        progress = true;
      }
      if (!progress) {
        return;
      }
    }
    throw new IllegalStateException("the cluster did not settle in " + MAX_ROUNDS + " rounds");
  }

  // §7: snapshot the (empty) state machine and drop the log before it, keeping a tail.
  private static void maybeCompact(Member m) {
    long first = m.storage.firstIndex();
    if (m.applied - first < COMPACT_EVERY) {
      return;
    }
    ConfState cs = m.storage.snapshot().getMetadata().getConfState();
    m.storage.createSnapshot(m.applied, cs, ByteString.EMPTY);
    m.storage.compact(m.applied - KEEP_AFTER_COMPACT);
  }
}
