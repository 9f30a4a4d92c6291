package raft.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import raft.pb.Message;
import raft.quorum.JointConfig;

/**
 * The leader's pending linearizable reads (thesis §6.4). A read records the commitIndex at its
 * arrival (the read index) and waits until a majority has answered a heartbeat sent after it
 * arrived: that proves no newer leader existed when the read was taken. Heartbeats are numbered
 * rounds; every pending read waits for the first round sent after it, so all reads that arrive
 * while one round is in flight share the next one (one heartbeat round per batch, not per read).
 */
final class ReadOnly {

  /** A read waiting for confirmation; {@code round} is the first heartbeat round that covers it. */
  record Pending(long index, Message request, long round) {}

  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  // Highest heartbeat round each follower has answered in this term.
  private final Map<Long, Long> ackedRound = new HashMap<>();
  // Checked by Invariants.READ_ROUNDS (every queued read has round <= lastRound + 1).
  private long lastRound;

  void add(long readIndex, Message request) {
    queue.add(new Pending(readIndex, request, lastRound + 1));
  }

  /** The reads waiting, oldest first (for {@link Invariants}). */
  List<Pending> queued() {
    return List.copyOf(queue);
  }

  long lastRound() {
    return lastRound;
  }

  /** Starts a new heartbeat round and returns its number, to carry in the heartbeats. */
  long startRound() {
    return ++lastRound;
  }

  /** True if some read waits for a round that has not been sent yet. */
  boolean needsRound() {
    return !queue.isEmpty() && queue.peekLast().round() > lastRound;
  }

  /** True if some read waits on a round already sent. */
  boolean roundInFlight() {
    return !queue.isEmpty() && queue.peekFirst().round() <= lastRound;
  }

  /**
   * A follower answered heartbeat round {@code round}. Returns the reads that a majority has now
   * confirmed, oldest first.
   */
  List<Pending> ack(long from, long round, JointConfig voters, long self) {
    ackedRound.merge(from, round, Math::max);
    // The highest round a majority has answered (the leader answers its own rounds at once):
    // the same "quorum-th largest" arithmetic as the commit index.
    long confirmed = voters.committedIndex(
        id -> id == self ? lastRound : ackedRound.getOrDefault(id, 0L));
    List<Pending> ready = new ArrayList<>();
    while (!queue.isEmpty() && queue.peekFirst().round() <= confirmed) {
      ready.add(queue.poll());
    }
    return ready;
  }
}
