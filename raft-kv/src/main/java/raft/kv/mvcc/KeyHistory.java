package raft.kv.mvcc;

import java.util.ArrayList;
import java.util.List;
import raft.kv.api.mvccpb.KeyValue;

/**
 * The retained history of one key, oldest first, ordered by (main, sub). Not thread-safe: the
 * store guards it with its lock.
 */
final class KeyHistory {
  // Invariant: sorted by (main, sub); never empty while the key is in the store's index.
  private final ArrayList<Change> changes = new ArrayList<>();

  void append(Change c) {
    changes.add(c);
  }

  List<Change> changes() {
    return changes;
  }

  /** The last change with main <= rev, or null. */
  Change latestAt(long rev) {
    int lo = 0;
    int hi = changes.size() - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (changes.get(mid).main() <= rev) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? null : changes.get(found);
  }

  /** The key-value visible at rev, or null if the key did not exist then. */
  KeyValue liveAt(long rev) {
    Change c = latestAt(rev);
    return c == null || c.isTombstone() ? null : c.kv();
  }

  /** The newest key-value, or null if the key is deleted. */
  KeyValue latest() {
    Change c = changes.get(changes.size() - 1);
    return c.isTombstone() ? null : c.kv();
  }

  /**
   * Drops history older than {@code compactRev}. Every change at or after compactRev is kept,
   * and so is the last change before it unless that is a tombstone: that one is both the value
   * a read at compactRev sees (when nothing was written at compactRev itself) and the prev_kv
   * of the first retained change, so watch replay from compactRev stays exact.
   *
   * @return true if nothing is left, so the key can leave the index
   */
  boolean compact(long compactRev) {
    int firstKept = 0;
    while (firstKept < changes.size() && changes.get(firstKept).main() < compactRev) {
      firstKept++;
    }
    if (firstKept > 0 && !changes.get(firstKept - 1).isTombstone()) {
      firstKept--;
    }
    changes.subList(0, firstKept).clear();
    return changes.isEmpty();
  }
}
