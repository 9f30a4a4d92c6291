package raft.log;

import java.util.ArrayList;
import java.util.List;
import raft.pb.Entry;
import raft.pb.Snapshot;

/**
 * The tail of the log that the protocol has accepted but the runtime has not yet persisted:
 * entries starting at {@code offset}, and possibly an incoming snapshot. They leave through
 * {@code Ready.entries()} / {@code Ready.snapshot()} once ({@link #acceptInProgress} marks them
 * handed to storage: entries below {@code offsetInProgress}), and are dropped here by
 * {@link #stableTo} once the runtime reports them durable. With asynchronous storage writes
 * (thesis §10.2.1) several writes may be in flight at once.
 */
final class Unstable {
  Snapshot snapshot; // null when none is pending
  // entries.get(i).getIndex() == offset + i: checked by raft.core.Invariants.INDEXES_CONSECUTIVE.
  final ArrayList<Entry> entries = new ArrayList<>();
  long offset;
  // Entries in [offset, offsetInProgress) are being written; offset <= offsetInProgress.
  long offsetInProgress;
  boolean snapshotInProgress;

  Unstable(long offset) {
    this.offset = offset;
    this.offsetInProgress = offset;
  }

  /** The entries not yet handed to storage. */
  List<Entry> nextEntries() {
    return entries.subList((int) (offsetInProgress - offset), entries.size());
  }

  /** The snapshot, unless it is already being written. */
  Snapshot nextSnapshot() {
    return snapshotInProgress ? null : snapshot;
  }

  /** Everything held now has been handed to storage. */
  void acceptInProgress() {
    offsetInProgress = offset + entries.size();
    snapshotInProgress = snapshot != null;
  }

  /** The first index, if only a snapshot is held: the one after it. -1 if unknown. */
  long maybeFirstIndex() {
    return snapshot == null ? -1 : snapshot.getMetadata().getIndex() + 1;
  }

  /** The last index held here, or -1 if nothing is held. */
  long maybeLastIndex() {
    if (!entries.isEmpty()) {
      return offset + entries.size() - 1;
    }
    return snapshot == null ? -1 : snapshot.getMetadata().getIndex();
  }

  /** The term of entry i if held here, or -1. */
  long maybeTerm(long i) {
    if (i < offset) {
      if (snapshot != null && snapshot.getMetadata().getIndex() == i) {
        return snapshot.getMetadata().getTerm();
      }
      return -1;
    }
    long last = maybeLastIndex();
    if (last < 0 || i > last) {
      return -1;
    }
    return entries.get((int) (i - offset)).getTerm();
  }

  /** Entries up to index i with term t are durable now; forget them. */
  void stableTo(long i, long t) {
    long gt = maybeTerm(i);
    // Only if the entry is still the one that was persisted: a later conflicting append may
    // have replaced it while the write was in flight.
    if (gt == t && i >= offset) {
      entries.subList(0, (int) (i + 1 - offset)).clear();
      offset = i + 1;
      offsetInProgress = Math.max(offsetInProgress, offset);
      if (entries.isEmpty()) {
        entries.trimToSize();
      }
    }
  }

  void stableSnapTo(long i) {
    if (snapshot != null && snapshot.getMetadata().getIndex() == i) {
      snapshot = null;
      snapshotInProgress = false;
    }
  }

  void restore(Snapshot s) {
    offset = s.getMetadata().getIndex() + 1;
    offsetInProgress = offset;
    entries.clear();
    snapshot = s;
    snapshotInProgress = false;
  }

  /** Appends ents, first discarding whatever conflicts: everything from ents[0].index on. */
  void truncateAndAppend(List<Entry> ents) {
    long after = ents.get(0).getIndex();
    if (after == offset + entries.size()) {
      entries.addAll(ents); // the common case: a plain append
    } else if (after <= offset) {
      offset = after; // replace everything unstable; storage's tail is overwritten on persist
      entries.clear();
      entries.addAll(ents);
    } else {
      entries.subList((int) (after - offset), entries.size()).clear();
      entries.addAll(ents);
    }
    // The replaced entries must be written again (a write in flight may hold the old ones).
    offsetInProgress = Math.max(offset, Math.min(offsetInProgress, after));
  }

  List<Entry> slice(long lo, long hi) {
    if (lo < offset || hi > offset + entries.size()) {
      throw new IllegalStateException("unstable.slice[" + lo + "," + hi + ") out of bound ["
          + offset + "," + (offset + entries.size()) + "]");
    }
    return entries.subList((int) (lo - offset), (int) (hi - offset));
  }
}
