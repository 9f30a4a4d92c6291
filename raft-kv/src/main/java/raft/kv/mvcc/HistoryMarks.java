package raft.kv.mvcc;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * A coarse log of how much history the store's writes have left behind, so that the leader can
 * pick a compaction revision for a size target without walking the store: marks of (revision,
 * bytes of history made before that revision), oldest first. "History" is what a compaction can
 * free: a change once a newer one supersedes it, a tombstone (and its key) once written. A
 * compaction at revision R frees what was made before R, so the history left after it is about
 * {@code made now - made before R}.
 *
 * <p>Bounded: a mark is taken only once {@code spacing} bytes of history were made since the
 * last; when there are {@code 2 * MARKS} marks every other one is dropped and the spacing
 * doubles. A compaction drops the marks it passed. So under 2 * MARKS marks (under 100 KiB),
 * spaced at most a 1/MARKS-th of the largest history the store held.
 *
 * <p>Confined to the store's lock.
 */
final class HistoryMarks {
  static final int MARKS = 1024;
  private static final long FIRST_SPACING = 1024;

  private record Mark(long revision, long madeBefore) {}

  private final ArrayDeque<Mark> marks = new ArrayDeque<>();
  private long spacing = FIRST_SPACING;
  // Bytes of history made so far (since this member started or restored a snapshot).
  private long made;

  long made() {
    return made;
  }

  /** Called before a revision's writes: marks it if enough history was made since the last. */
  void beforeRevision(long revision) {
    Mark last = marks.peekLast();
    if (last == null || made - last.madeBefore() >= spacing) {
      marks.addLast(new Mark(revision, made));
      if (marks.size() >= 2 * MARKS) {
        thin();
      }
    }
  }

  void add(long historyBytes) {
    made += historyBytes;
  }

  /** Drops every other mark (keeping the newest) and doubles the spacing. */
  private void thin() {
    int keepParity = (marks.size() - 1) % 2;
    int i = 0;
    for (Iterator<Mark> it = marks.iterator(); it.hasNext(); i++) {
      it.next();
      if (i % 2 != keepParity) {
        it.remove();
      }
    }
    spacing *= 2;
  }

  /** Forgets marks a compaction at {@code compactRevision} has passed. */
  void compacted(long compactRevision) {
    while (!marks.isEmpty() && marks.peekFirst().revision() <= compactRevision) {
      marks.pollFirst();
    }
  }

  /**
   * After a snapshot restore: all of the restored history counts as made just before
   * {@code revision}, the store's current revision (its finer past is not in the snapshot).
   */
  void restored(long history, long revision) {
    marks.clear();
    spacing = FIRST_SPACING;
    made = history;
    marks.addLast(new Mark(revision, made));
  }

  /**
   * The oldest marked revision whose compaction would leave at most {@code keepBytes} of
   * history, or 0 if no mark would (then only compacting at the current revision does).
   */
  long oldestKeeping(long keepBytes) {
    for (Mark m : marks) {
      if (made - m.madeBefore() <= keepBytes) {
        return m.revision();
      }
    }
    return 0;
  }

  int size() {
    return marks.size();
  }
}
