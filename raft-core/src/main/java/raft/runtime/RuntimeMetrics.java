package raft.runtime;

import raft.core.ElectionCounts;
import raft.core.Raft;

/**
 * What the runtime counts for a member's metrics: a few plain numbers its owner reads when
 * scraped (raft-kv binds them to Prometheus), and an {@link Observer} told of each event that
 * a histogram needs. The protocol keeps its own counts ({@link Raft#elections}, immutable); the
 * Raft loop publishes them here after each batch, so any thread may read them.
 *
 * <p>Nothing here blocks or allocates per event: observers are called on the Raft loop or the
 * storage thread and must be as cheap (a Prometheus histogram's observe is).
 */
public final class RuntimeMetrics {

  /** Told of the events a distribution is kept for; every method must return at once. */
  public interface Observer {
    /** One fsync of the WAL took {@code nanos} (storage thread). */
    default void walFsync(long nanos) {}

    /**
     * {@code reads} linearizable reads were confirmed by one Ready (Raft loop): a round of
     * heartbeats confirms every ReadIndex request queued before it (thesis §6.4), so under
     * load one round serves many reads.
     */
    default void readIndexBatch(int reads) {}
  }

  private static final Observer NONE = new Observer() {};

  private volatile Observer observer = NONE;
  private volatile ElectionCounts elections = ElectionCounts.NONE;

  /** Replaces the observer (one per member; its owner's metrics). */
  public void observe(Observer o) {
    observer = o == null ? NONE : o;
  }

  /** The protocol's election counts as of the Raft loop's last batch. */
  public ElectionCounts elections() {
    return elections;
  }

  /** The storage's fsync hook. */
  void walFsync(long nanos) {
    observer.walFsync(nanos);
  }

  /** On the Raft loop: one Ready confirmed {@code reads} reads together. */
  void readIndexBatch(int reads) {
    observer.readIndexBatch(reads);
  }

  /** On the Raft loop, after each batch: copies the protocol's counts. */
  void afterBatch(Raft raft) {
    elections = raft.elections();
  }
}
