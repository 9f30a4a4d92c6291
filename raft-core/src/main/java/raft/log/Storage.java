package raft.log;

import java.util.List;
import raft.pb.ConfState;
import raft.pb.Entry;
import raft.pb.HardState;
import raft.pb.Snapshot;

/**
 * The durable part of a node's log, as the protocol reads it. The protocol only reads; the
 * runtime writes what each {@code Ready} says to persist (see {@code raft.core.ReadyPipeline})
 * and then reports it with {@code RaftNode.persisted}.
 *
 * <p>Threading: the protocol calls it only from the node's own loop; an implementation that a
 * storage thread writes meanwhile must be thread-safe ({@code MemoryStorage} is). Blocking:
 * reads should be fast (in memory or cached); the protocol calls them while stepping. Indexes
 * start at 1; {@code firstIndex() - 1} is the index of the last snapshot (0 when there is
 * none), whose term {@link #term} must still answer.
 */
public interface Storage {

  /**
   * What a node starts from: the persisted hard state, and the membership as of the snapshot
   * at {@code snapshotIndex} (the log may still hold entries from before it).
   */
  record InitialState(HardState hardState, ConfState confState, long snapshotIndex) {}

  InitialState initialState();

  /**
   * Entries in [lo, hi), at least one if any exist, and no more than {@code maxSize} bytes
   * beyond the first.
   *
   * @throws CompactedException if lo is below {@link #firstIndex()}
   */
  List<Entry> entries(long lo, long hi, long maxSize);

  /**
   * The term of the entry at index i, for i in [firstIndex()-1, lastIndex()].
   *
   * @throws CompactedException if i was compacted away
   * @throws UnavailableException if i is beyond lastIndex()
   */
  long term(long i);

  long lastIndex();

  long firstIndex();

  /** The most recent snapshot, for a follower that needs compacted entries (§7). */
  Snapshot snapshot();

  /** Thrown when the requested index is older than the last snapshot. */
  final class CompactedException extends RuntimeException {
    public CompactedException(long index, long firstIndex) {
      super("requested index " + index + " is compacted (first index is " + firstIndex + ")");
    }
  }

  /** Thrown when the requested index is newer than the last entry. */
  final class UnavailableException extends RuntimeException {
    public UnavailableException(long index, long lastIndex) {
      super("requested index " + index + " is unavailable (last index is " + lastIndex + ")");
    }
  }
}
