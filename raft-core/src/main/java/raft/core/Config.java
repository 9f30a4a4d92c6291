package raft.core;

import java.util.List;
import java.util.random.RandomGenerator;
import raft.log.Storage;

/**
 * How one node runs the protocol. Time is counted in ticks (the runtime decides how long a tick
 * is, etcd uses the heartbeat interval); randomness comes only from {@link #random}, so a node
 * built from the same config and fed the same inputs behaves the same, byte for byte.
 */
public final class Config {
  /** This node's id; never 0 (0 means "nobody" in votedFor and leader fields). */
  public long id;
  /** Voters to start with when the storage holds no membership yet (a brand-new cluster). */
  public List<Long> peers = List.of();
  /** The base election timeout T: a follower waits a random [T, 2T) ticks (§5.2). */
  public int electionTick = 10;
  /** The leader sends heartbeats every heartbeatTick ticks; must be less than electionTick. */
  public int heartbeatTick = 1;
  public Storage storage;
  /** The last index the state machine applied before a restart (0 for a fresh node). */
  public long applied;
  /** Upper bound on the bytes of entries in one append message (batching). */
  public long maxSizePerMsg = 1024 * 1024;
  /** Upper bound on appends in flight to one follower (pipelining window). */
  public int maxInflightMsgs = 256;
  /** Upper bound on bytes in flight to one follower; 0 for no limit. */
  public long maxInflightBytes = 0;
  /** Upper bound on the bytes of committed entries handed out in one Ready. */
  public long maxCommittedSizePerReady = 64L * 1024 * 1024;
  /** Thesis §9.6: ask for votes without raising the term first. */
  public boolean preVote = true;
  /** A leader that has not heard from a majority for an election timeout steps down. */
  public boolean checkQuorum = true;
  /** The only source of randomness: the election timeout jitter. Inject a seeded one. */
  public RandomGenerator random;

  public Config validate() {
    if (id == 0) {
      throw new IllegalArgumentException("config: id must not be 0");
    }
    if (heartbeatTick <= 0) {
      throw new IllegalArgumentException("config: heartbeatTick must be > 0");
    }
    if (electionTick <= heartbeatTick) {
      throw new IllegalArgumentException("config: electionTick must be > heartbeatTick");
    }
    if (storage == null) {
      throw new IllegalArgumentException("config: storage is required");
    }
    if (random == null) {
      throw new IllegalArgumentException("config: random is required (inject a seeded one)");
    }
    if (maxInflightMsgs <= 0) {
      throw new IllegalArgumentException("config: maxInflightMsgs must be > 0");
    }
    return this;
  }
}
