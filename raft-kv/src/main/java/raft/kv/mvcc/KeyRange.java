package raft.kv.mvcc;

import com.google.protobuf.ByteString;
import java.util.Collections;
import java.util.Comparator;
import java.util.NavigableMap;

/**
 * etcd's [key, range_end) convention: an empty range_end means the single key, "\0" means every
 * key >= key (so key "\0" with range_end "\0" is the whole keyspace), and a range_end <= key is
 * an empty range.
 */
public final class KeyRange {
  /** Unsigned byte order, the order etcd's B-tree and bbolt keep keys in. */
  public static final Comparator<ByteString> ORDER = KeyRange::compareUnsigned;

  private static final ByteString FROM_KEY = ByteString.copyFrom(new byte[] {0});

  private KeyRange() {}

  /**
   * The same order as {@code ByteString.unsignedLexicographicalComparator()}, without the two
   * byte iterators that one creates and walks per comparison (they led a follower's JFR
   * profile under a put load, when every put still descended the TreeMap).
   */
  static int compareUnsigned(ByteString a, ByteString b) {
    int n = Math.min(a.size(), b.size());
    for (int i = 0; i < n; i++) {
      int d = Byte.toUnsignedInt(a.byteAt(i)) - Byte.toUnsignedInt(b.byteAt(i));
      if (d != 0) {
        return d;
      }
    }
    return a.size() - b.size();
  }

  public static boolean isFromKey(ByteString rangeEnd) {
    return rangeEnd.equals(FROM_KEY);
  }

  /** Whether {@code k} falls in [key, rangeEnd) under etcd's convention. */
  public static boolean contains(ByteString key, ByteString rangeEnd, ByteString k) {
    if (rangeEnd.isEmpty()) {
      return key.equals(k);
    }
    if (ORDER.compare(k, key) < 0) {
      return false;
    }
    return isFromKey(rangeEnd) || ORDER.compare(k, rangeEnd) < 0;
  }

  /** The part of {@code map} inside [key, rangeEnd), a view. */
  public static <V> NavigableMap<ByteString, V> slice(
      NavigableMap<ByteString, V> map, ByteString key, ByteString rangeEnd) {
    if (rangeEnd.isEmpty()) {
      return map.subMap(key, true, key, true);
    }
    if (isFromKey(rangeEnd)) {
      return map.tailMap(key, true);
    }
    if (ORDER.compare(key, rangeEnd) >= 0) {
      return Collections.emptyNavigableMap();
    }
    return map.subMap(key, true, rangeEnd, false);
  }
}
