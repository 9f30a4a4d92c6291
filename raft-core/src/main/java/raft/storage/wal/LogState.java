package raft.storage.wal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import raft.pb.Entry;
import raft.pb.HardState;
import raft.pb.SnapshotMetadata;

/**
 * What the records written so far add up to: the latest hard state and snapshot marker, and the
 * log after it. Recovery folds every record into one; the writer keeps one too (terms only, no
 * entry payloads) so that a new segment's name and leading records match what recovery will
 * compute at that point.
 *
 * <p>Entries known to this state are {@code (baseIndex, lastIndex]}, contiguous. Normally
 * {@code baseIndex == snapshot index}; it is larger only while replay is inside a WAL whose
 * oldest segments were released, before it has seen the marker that covers them.
 */
final class LogState {

  private boolean keepEntries;
  private HardState hardState = HardState.getDefaultInstance();
  private SnapshotMetadata snapshot = SnapshotMetadata.getDefaultInstance();
  private long baseIndex;
  private long baseTerm; // term of the entry at baseIndex; -1 if unknown
  // Invariant: terms[i] is the term of entry baseIndex + 1 + i, for i < count.
  private long[] terms = new long[16];
  private int count;
  private final List<Entry> entries = new ArrayList<>();

  LogState(boolean keepEntries) {
    this.keepEntries = keepEntries;
  }

  /** From now on remember terms only: the caller has taken the entries. */
  void stopKeepingEntries() {
    keepEntries = false;
    entries.clear();
  }

  /**
   * Starts replay of a WAL whose first segment begins at {@code firstIndex}, the entry before
   * which had term {@code prevTerm} (from the segment header).
   */
  void startAt(long firstIndex, long prevTerm) {
    baseIndex = firstIndex - 1;
    baseTerm = prevTerm;
  }

  /** Term of the last entry (or of the base), -1 if unknown. */
  long lastTerm() {
    return count > 0 ? terms[count - 1] : baseTerm;
  }

  long lastIndex() {
    return baseIndex + count;
  }

  long baseIndex() {
    return baseIndex;
  }

  HardState hardState() {
    return hardState;
  }

  SnapshotMetadata snapshot() {
    return snapshot;
  }

  List<Entry> entries() {
    return entries;
  }

  void setHardState(HardState hs) {
    hardState = hs;
  }

  /** The problem with appending {@code e}, or null if it fits. */
  String checkAppend(Entry e) {
    long i = e.getIndex();
    if (i > lastIndex() + 1) {
      return "entry " + i + " leaves a gap after the last entry " + lastIndex();
    }
    return null;
  }

  /** Appends {@code e}, first dropping any entries from its index on (Raft's log overwrite). */
  void append(Entry e) {
    long i = e.getIndex();
    if (i <= snapshot.getIndex()) {
      return; // already covered by the snapshot; MemoryStorage ignores these too
    }
    if (i <= baseIndex) {
      // Overwrites entries whose segments were released: the ones before it stay unknown until
      // a snapshot marker covers them (recovery checks that one does).
      count = 0;
      entries.clear();
      baseIndex = i - 1;
      baseTerm = -1;
    } else {
      truncateFrom(i);
    }
    if (count == terms.length) {
      terms = Arrays.copyOf(terms, count * 2);
    }
    terms[count++] = e.getTerm();
    if (keepEntries) {
      entries.add(e);
    }
  }

  private void truncateFrom(long index) {
    int keep = (int) (index - baseIndex - 1);
    if (keep < count) {
      count = keep;
      if (keepEntries) {
        entries.subList(keep, entries.size()).clear();
      }
    }
  }

  /**
   * §7: whether the log holds the snapshot's last included entry (same index and term), so that
   * the entries after it are kept. Only the writer asks: it records the answer in the record
   * type, because replay may no longer have that entry (its segment may have been released).
   */
  boolean holds(SnapshotMetadata m) {
    long s = m.getIndex();
    return s == baseIndex ? baseTerm == m.getTerm()
        : s > baseIndex && s <= lastIndex() && termAt(s) == m.getTerm();
  }

  /**
   * Applies a snapshot marker: entries up to it go, and with {@code !keepLog} all of them (§7).
   * Markers not newer than the current one change nothing.
   */
  void applySnapshot(SnapshotMetadata m, boolean keepLog) {
    long s = m.getIndex();
    if (s <= snapshot.getIndex()) {
      if (s == snapshot.getIndex() && m.getTerm() == snapshot.getTerm()) {
        snapshot = m; // a repeat (leading record of a segment) may carry a newer ConfState
      }
      return;
    }
    snapshot = m;
    if (keepLog && s < baseIndex) {
      return; // released entries stay unknown; recovery reports them if nothing covers them
    }
    if (keepLog && s <= lastIndex()) {
      dropThrough(s);
    } else {
      dropThrough(lastIndex());
      baseIndex = s;
    }
    baseTerm = m.getTerm();
  }

  private long termAt(long index) {
    return terms[(int) (index - baseIndex - 1)];
  }

  private void dropThrough(long index) {
    int drop = (int) (index - baseIndex);
    if (drop == 0) {
      return;
    }
    baseTerm = termAt(index);
    System.arraycopy(terms, drop, terms, 0, count - drop);
    count -= drop;
    baseIndex = index;
    if (keepEntries) {
      entries.subList(0, drop).clear();
    }
  }
}
