package raft.kv.auth;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A union of key ranges, kept as sorted, disjoint, non-adjacent [start, end) intervals (end
 * null: to the end of the key space). etcd merges a user's permissions into interval trees
 * (auth/range_perm_cache.go) and asks whether they contain a point or cover an interval; the
 * merged sorted list answers both with one binary search. Immutable.
 */
final class KeyRanges {
  static final KeyRanges EMPTY = new KeyRanges(new ByteString[0], new ByteString[0]);
  private static final Comparator<ByteString> ORDER =
      ByteString.unsignedLexicographicalComparator();
  private static final ByteString ZERO = ByteString.copyFrom(new byte[] {0});

  private final ByteString[] starts;
  private final ByteString[] ends; // null: unbounded

  private KeyRanges(ByteString[] starts, ByteString[] ends) {
    this.starts = starts;
    this.ends = ends;
  }

  /** The end of a permission's or request's interval: null for "\0" (to the end). */
  static ByteString intervalEnd(ByteString key, ByteString rangeEnd) {
    if (rangeEnd.isEmpty()) {
      return key.concat(ZERO); // the key alone: [key, key\0)
    }
    return rangeEnd.equals(ZERO) ? null : rangeEnd;
  }

  /** Merges intervals given as (start, end) pairs, in any order. */
  static KeyRanges of(List<ByteString[]> intervals) {
    List<ByteString[]> sorted = new ArrayList<>(intervals);
    sorted.removeIf(iv -> iv[1] != null && ORDER.compare(iv[1], iv[0]) <= 0); // empty ones
    sorted.sort((a, b) -> ORDER.compare(a[0], b[0]));
    List<ByteString> s = new ArrayList<>();
    List<ByteString> e = new ArrayList<>();
    for (ByteString[] iv : sorted) {
      int last = s.size() - 1;
      if (last >= 0 && (e.get(last) == null || ORDER.compare(iv[0], e.get(last)) <= 0)) {
        e.set(last, max(e.get(last), iv[1])); // overlaps or touches the previous one
      } else {
        s.add(iv[0]);
        e.add(iv[1]);
      }
    }
    return new KeyRanges(s.toArray(new ByteString[0]), e.toArray(new ByteString[0]));
  }

  private static ByteString max(ByteString a, ByteString b) {
    return a == null || b == null ? null : ORDER.compare(a, b) >= 0 ? a : b;
  }

  /**
   * Whether [key, rangeEnd) with etcd's conventions is covered: the key alone when rangeEnd is
   * empty (etcd's checkKeyPoint), every key from key on for "\0", else the whole interval
   * (etcd's checkKeyInterval). An inverted interval (rangeEnd at or below key) counts as the key.
   */
  boolean covers(ByteString key, ByteString rangeEnd) {
    int i = indexAtOrBefore(key);
    if (i < 0 || (ends[i] != null && ORDER.compare(key, ends[i]) >= 0)) {
      return false; // key itself is outside every interval
    }
    ByteString end = intervalEnd(key, rangeEnd);
    if (end != null && ORDER.compare(end, key) <= 0) {
      return true; // inverted: the key alone, which is covered
    }
    // Intervals are merged, so the one holding key must reach end by itself.
    return ends[i] == null || (end != null && ORDER.compare(end, ends[i]) <= 0);
  }

  private int indexAtOrBefore(ByteString key) {
    int lo = 0;
    int hi = starts.length - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (ORDER.compare(starts[mid], key) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  int size() {
    return starts.length;
  }
}
