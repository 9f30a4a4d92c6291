package raft.kv.mvcc;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import raft.kv.api.mvccpb.KeyValue;

/**
 * The retained history of one key, oldest first, ordered by (main, sub). Not thread-safe: the
 * store guards it with its lock.
 */
final class KeyHistory {
  // The key, in an array of its own (see KeyIndex.getOrCreate).
  private final ByteString key;
  // Invariant: sorted by (main, sub); never empty while the key is in the store's index.
  private final ArrayList<Change> changes = new ArrayList<>();

  KeyHistory(ByteString key) {
    this.key = key;
  }

  ByteString key() {
    return key;
  }

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
   * Drops history older than {@code compactRev}. Every change at or after compactRev is kept.
   * The last change before it is kept too, unless it is a tombstone or the key was deleted at
   * compactRev itself: it is the value a read at compactRev sees (when nothing was written at
   * compactRev) and the prev_kv of the first retained change in watch replay. So a delete at
   * compactRev replays without its prev_kv, as in etcd (which omits prev_kv once the revision
   * before is compacted): that is what lets "delete, then compact at the current revision"
   * free the deleted values, the way out of a full store (the NOSPACE alarm).
   *
   * @return true if nothing is left, so the key can leave the index
   */
  boolean compact(long compactRev) {
    int firstKept = 0;
    while (firstKept < changes.size() && changes.get(firstKept).main() < compactRev) {
      firstKept++;
    }
    boolean deletedAtCompactRev = firstKept < changes.size()
        && changes.get(firstKept).main() == compactRev && changes.get(firstKept).isTombstone();
    if (firstKept > 0 && !changes.get(firstKept - 1).isTombstone() && !deletedAtCompactRev) {
      firstKept--;
    }
    changes.subList(0, firstKept).clear();
    return changes.isEmpty();
  }
}
