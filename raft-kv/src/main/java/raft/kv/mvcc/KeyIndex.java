package raft.kv.mvcc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Every key's history, two ways: in key order for ranges (etcd keeps a B-tree), and by hash for
 * the single-key lookups that most puts and gets are. A put on an existing key then costs one
 * hash lookup instead of a descent through the tree comparing keys byte by byte. Confined to the
 * store's lock.
 */
final class KeyIndex {
  private final TreeMap<ByteString, KeyHistory> ordered = new TreeMap<>(KeyRange.ORDER);
  private final Map<ByteString, KeyHistory> byKey = new HashMap<>();

  KeyHistory get(ByteString key) {
    return byKey.get(key);
  }

  /**
   * A new key's history is indexed under a copy of the key: the key of an applied write is a
   * view into its whole Raft entry (aliasing), and the index outlives that revision, so indexing
   * the view would keep the first value written alive for as long as the key exists.
   */
  KeyHistory getOrCreate(ByteString key) {
    KeyHistory h = byKey.get(key);
    if (h == null) {
      ByteString own = UnsafeByteOperations.unsafeWrap(key.toByteArray()); // one copy
      h = new KeyHistory(own);
      put(own, h);
    }
    return h;
  }

  void put(ByteString key, KeyHistory h) {
    ordered.put(key, h);
    byKey.put(key, h);
  }

  /** The histories of the keys in [key, rangeEnd), in key order. */
  Collection<KeyHistory> histories(ByteString key, ByteString rangeEnd) {
    if (rangeEnd.isEmpty()) {
      KeyHistory h = byKey.get(key);
      return h == null ? List.of() : List.of(h);
    }
    return KeyRange.slice(ordered, key, rangeEnd).values();
  }

  /** Keys in [key, rangeEnd) with their histories, in key order (a view). */
  NavigableMap<ByteString, KeyHistory> slice(ByteString key, ByteString rangeEnd) {
    return KeyRange.slice(ordered, key, rangeEnd);
  }

  Collection<Map.Entry<ByteString, KeyHistory>> entries() {
    return ordered.entrySet();
  }

  void removeIf(Predicate<KeyHistory> drop) {
    for (Iterator<Map.Entry<ByteString, KeyHistory>> it = ordered.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<ByteString, KeyHistory> e = it.next();
      if (drop.test(e.getValue())) {
        byKey.remove(e.getKey()); // first: TreeMap may reuse e for another key on remove
        it.remove();
      }
    }
  }

  void clear() {
    ordered.clear();
    byKey.clear();
  }
}
