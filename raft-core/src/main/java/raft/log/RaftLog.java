package raft.log;

import java.util.ArrayList;
import java.util.List;
import raft.pb.Entry;
import raft.pb.Snapshot;

/**
 * A node's log (Figure 2, "log[]"): the durable part in {@link Storage}, followed by the
 * unstable tail that the runtime has not persisted yet, plus {@code commitIndex} and
 * {@code lastApplied}.
 */
public final class RaftLog {
  private final Storage storage;
  private final Unstable unstable;
  private final long maxApplyingBytes;
  // Checked by raft.core.Invariants: APPLIED_LE_COMMIT, COMMIT_LE_LAST, COMMIT_NEVER_DECREASES.
  private long commitIndex;
  private long lastApplied;

  public RaftLog(Storage storage, long maxApplyingBytes) {
    this.storage = storage;
    this.maxApplyingBytes = maxApplyingBytes;
    long first = storage.firstIndex();
    long last = storage.lastIndex();
    this.unstable = new Unstable(last + 1);
    // Everything up to the snapshot is committed and applied by definition (§7).
    this.commitIndex = first - 1;
    this.lastApplied = first - 1;
  }

  public long commitIndex() {
    return commitIndex;
  }

  public long lastApplied() {
    return lastApplied;
  }

  public long firstIndex() {
    long i = unstable.maybeFirstIndex();
    return i >= 0 ? i : storage.firstIndex();
  }

  public long lastIndex() {
    long i = unstable.maybeLastIndex();
    return i >= 0 ? i : storage.lastIndex();
  }

  public long lastTerm() {
    return term(lastIndex());
  }

  /** The term of entry i, or 0 if i is outside the log (compacted away or not yet there). */
  public long term(long i) {
    long dummy = firstIndex() - 1;
    if (i < dummy || i > lastIndex()) {
      return 0;
    }
    long t = unstable.maybeTerm(i);
    if (t >= 0) {
      return t;
    }
    try {
      return storage.term(i);
    } catch (Storage.CompactedException | Storage.UnavailableException e) {
      return 0;
    }
  }

  public boolean matchTerm(long i, long t) {
    long dummy = firstIndex() - 1;
    if (i < dummy || i > lastIndex()) {
      return false;
    }
    return term(i) == t;
  }

  /**
   * The follower side of AppendEntries (§5.3). If the entry at prevIndex has prevTerm, appends
   * the entries not already present, truncating only from the first real conflict, and
   * advances commitIndex to min(leaderCommit, index of last new entry). Returns that last new
   * index, or -1 if the consistency check failed.
   */
  public long maybeAppend(long prevIndex, long prevTerm, long leaderCommit, List<Entry> ents) {
    if (!matchTerm(prevIndex, prevTerm)) {
      return -1;
    }
    long lastNew = prevIndex + ents.size();
    long conflict = findConflict(ents);
    if (conflict != 0) {
      if (conflict <= commitIndex) {
        throw new IllegalStateException("entry " + conflict + " conflicts with committed entry"
            + " (commitIndex " + commitIndex + ")");
      }
      // §5.3: delete the existing entry and all that follow it, only on a real conflict, so a
      // stale or duplicated AppendEntries never truncates entries the leader already counted.
      append(ents.subList((int) (conflict - (prevIndex + 1)), ents.size()));
    }
    // §5.3: commitIndex = min(leaderCommit, index of last new entry).
    commitTo(Math.min(leaderCommit, lastNew));
    return lastNew;
  }

  /** Appends entries at the end, possibly replacing an uncommitted tail. Returns lastIndex. */
  public long append(List<Entry> ents) {
    if (ents.isEmpty()) {
      return lastIndex();
    }
    long after = ents.get(0).getIndex() - 1;
    if (after < commitIndex) {
      throw new IllegalStateException("append after " + after + " is below commitIndex "
          + commitIndex);
    }
    unstable.truncateAndAppend(ents);
    return lastIndex();
  }

  /**
   * The index of the first entry in ents whose term differs from ours at that index, or of the
   * first entry we do not have; 0 if every entry is already present.
   */
  long findConflict(List<Entry> ents) {
    for (Entry e : ents) {
      if (!matchTerm(e.getIndex(), e.getTerm())) {
        return e.getIndex();
      }
    }
    return 0;
  }

  /**
   * The fast-backtracking hint (thesis §5.3 optimisation, as in etcd): the largest index
   * {@code <= index} whose term is {@code <= term}. A follower answers a rejected append with it,
   * and the leader uses it to skip a whole term of mismatching entries per round trip.
   */
  public ConflictHint findConflictByTerm(long index, long term) {
    long first = firstIndex();
    if (index < first - 1) {
      return new ConflictHint(index, 0); // compacted away: we cannot know its term
    }
    for (long i = Math.min(index, lastIndex()); i >= first - 1; i--) {
      long t = term(i);
      if (t <= term) {
        return new ConflictHint(i, t);
      }
    }
    return new ConflictHint(first - 1, 0);
  }

  /** §5.4.1: is a log ending at (lastTerm, lastIndex) at least as up-to-date as ours? */
  public boolean isUpToDate(long lastIndex, long lastTerm) {
    long ourTerm = lastTerm();
    return lastTerm > ourTerm || (lastTerm == ourTerm && lastIndex >= lastIndex());
  }

  /**
   * §5.4.2: advance commitIndex to maxIndex only if that entry is from {@code term} (the
   * leader's current term); older-term entries become committed only indirectly.
   */
  public boolean maybeCommit(long maxIndex, long term) {
    if (maxIndex > commitIndex && term(maxIndex) == term) {
      commitTo(maxIndex);
      return true;
    }
    return false;
  }

  public void commitTo(long toCommit) {
    if (toCommit > commitIndex) {
      if (toCommit > lastIndex()) {
        throw new IllegalStateException("commit " + toCommit + " is beyond lastIndex "
            + lastIndex() + "; the log is corrupt, truncated or lost");
      }
      commitIndex = toCommit;
    }
  }

  public void appliedTo(long i) {
    if (i == 0) {
      return;
    }
    if (i > commitIndex || i < lastApplied) {
      throw new IllegalStateException("applied " + i + " is out of range [" + lastApplied + ","
          + commitIndex + "]");
    }
    lastApplied = i;
  }

  /** Committed entries not yet applied (and durable: never hand out what is not persisted). */
  public List<Entry> nextCommittedEntries() {
    long lo = Math.max(lastApplied + 1, firstIndex());
    long hi = Math.min(commitIndex, stableLastIndex()) + 1;
    if (hi <= lo) {
      return List.of();
    }
    return slice(lo, hi, maxApplyingBytes);
  }

  public boolean hasNextCommittedEntries() {
    long lo = Math.max(lastApplied + 1, firstIndex());
    return Math.min(commitIndex, stableLastIndex()) >= lo;
  }

  /** The last index that is both persisted and still part of our log. */
  public long stableLastIndex() {
    return unstable.offset - 1;
  }

  /** Every entry not yet persisted, whether or not it was handed to storage. */
  public List<Entry> unstableEntries() {
    return List.copyOf(unstable.entries);
  }

  public boolean hasUnstableEntries() {
    return !unstable.entries.isEmpty();
  }

  /** Entries not yet persisted and not yet handed to storage (the next Ready's entries). */
  public List<Entry> nextUnstableEntries() {
    return List.copyOf(unstable.nextEntries());
  }

  public boolean hasNextUnstableEntries() {
    return unstable.offsetInProgress < unstable.offset + unstable.entries.size();
  }

  /** A snapshot to install that is not yet handed to storage, or null. */
  public Snapshot nextUnstableSnapshot() {
    return unstable.nextSnapshot();
  }

  /** A snapshot to install that is not yet persisted (handed to storage or not), or null. */
  public Snapshot unstableSnapshot() {
    return unstable.snapshot;
  }

  /** The runtime took everything unstable for writing (a Ready was handed over). */
  public void acceptUnstable() {
    unstable.acceptInProgress();
  }

  public void stableTo(long i, long t) {
    unstable.stableTo(i, t);
  }

  public void stableSnapTo(long i) {
    unstable.stableSnapTo(i);
  }

  /** A follower installs a snapshot from the leader: the whole log is replaced by it (§7). */
  public void restore(Snapshot s) {
    commitIndex = s.getMetadata().getIndex();
    unstable.restore(s);
  }

  /** After a restored snapshot is applied by the state machine. */
  public void appliedSnapshot(long index) {
    lastApplied = Math.max(lastApplied, index);
  }

  public Snapshot snapshot() {
    if (unstable.snapshot != null) {
      return unstable.snapshot;
    }
    return storage.snapshot();
  }

  /** Entries from i on, at most maxSize bytes (at least one entry if any). */
  public List<Entry> entries(long i, long maxSize) {
    if (i > lastIndex()) {
      return List.of();
    }
    return slice(i, lastIndex() + 1, maxSize);
  }

  /**
   * Entries in [lo, hi) limited to maxSize bytes, reading from storage and the unstable tail.
   *
   * @throws Storage.CompactedException if lo was compacted away
   */
  public List<Entry> slice(long lo, long hi, long maxSize) {
    if (lo < firstIndex()) {
      throw new Storage.CompactedException(lo, firstIndex());
    }
    if (lo == hi) {
      return List.of();
    }
    if (hi <= unstable.offset) {
      return storage.entries(lo, hi, maxSize); // all persisted: storage applies the limit
    }
    if (lo >= unstable.offset) {
      return MemoryStorage.limitSize(unstable.slice(lo, hi), maxSize);
    }
    List<Entry> stored = storage.entries(lo, unstable.offset, maxSize);
    if (stored.size() < unstable.offset - lo) {
      return stored; // storage already hit maxSize
    }
    List<Entry> ents = new ArrayList<>(stored);
    ents.addAll(unstable.slice(unstable.offset, hi));
    return MemoryStorage.limitSize(ents, maxSize);
  }

  public List<Entry> allEntries() {
    return entries(firstIndex(), Long.MAX_VALUE);
  }

  @Override
  public String toString() {
    return "RaftLog{first=" + firstIndex() + " last=" + lastIndex() + " commit=" + commitIndex
        + " applied=" + lastApplied + " unstable=" + unstable.offset + "}";
  }
}
