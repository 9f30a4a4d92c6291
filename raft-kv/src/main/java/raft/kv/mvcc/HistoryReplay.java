package raft.kv.mvcc;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import raft.kv.api.mvccpb.Event;
import raft.kv.api.mvccpb.KeyValue;

/** Rebuilds the event log of a key range from the key histories, for watch replay. */
final class HistoryReplay {
  private HistoryReplay() {}

  private record Item(long main, int sub, Event event) {}

  static List<RevisionEvents> collect(
      java.util.NavigableMap<com.google.protobuf.ByteString, KeyHistory> slice,
      long from, long to) {
    List<Item> items = new ArrayList<>();
    for (KeyHistory h : slice.values()) {
      for (int i = firstAtOrAfter(h, from); i < h.size(); i++) {
        if (h.main(i) > to) {
          break;
        }
        Change c = h.change(i);
        // Compaction keeps the change before the first retained one (see KeyHistory.compact),
        // so prev_kv is exact for every change at or after the compact revision, except a
        // delete at the compact revision itself.
        Change before = i > 0 ? h.change(i - 1) : null;
        items.add(new Item(c.main(), c.sub(), event(c, before)));
      }
    }
    items.sort(Comparator.comparingLong(Item::main).thenComparingInt(Item::sub));
    List<RevisionEvents> out = new ArrayList<>();
    List<Event> current = new ArrayList<>();
    long rev = -1;
    for (Item it : items) {
      if (it.main() != rev && !current.isEmpty()) {
        out.add(new RevisionEvents(rev, current));
        current = new ArrayList<>();
      }
      rev = it.main();
      current.add(it.event());
    }
    if (!current.isEmpty()) {
      out.add(new RevisionEvents(rev, current));
    }
    return out;
  }

  // Watch catch-up reads a few revisions at a time from long histories: binary search, since
  // a key's changes are sorted by (main, sub).
  private static int firstAtOrAfter(KeyHistory h, long from) {
    int lo = 0;
    int hi = h.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (h.main(mid) < from) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static Event event(Change c, Change before) {
    Event.Builder e = Event.newBuilder()
        .setType(c.isTombstone() ? Event.EventType.DELETE : Event.EventType.PUT)
        .setKv(c.kv());
    if (before != null && !before.isTombstone()) {
      KeyValue prev = before.kv();
      e.setPrevKv(prev);
    }
    return e.build();
  }
}
