package raft.kv.mvcc;

import java.util.AbstractList;
import java.util.RandomAccess;
import raft.kv.api.mvccpb.Event;
import raft.kv.api.mvccpb.KeyValue;

/**
 * The events of one committed revision, made only when read: each is the change and the
 * key-value it replaced (its prev_kv). A revision that deletes a million keys then costs two
 * references per key until the watchers have seen it, and nothing more when no watcher reads
 * it; built eagerly, its events took some 60 bytes per key beside the tombstones. Each read of
 * an element makes a new Event (they are equal); the store's history, which they point into,
 * is immutable.
 */
final class CommittedEvents extends AbstractList<Event> implements RandomAccess {
  private final Change[] changes;
  private final KeyValue[] prevs;
  private int size;

  CommittedEvents(int capacity) {
    changes = new Change[capacity];
    prevs = new KeyValue[capacity];
  }

  void add(Change c, KeyValue prev) {
    changes[size] = c;
    prevs[size] = prev;
    size++;
  }

  @Override
  public Event get(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException(i);
    }
    Change c = changes[i];
    Event.Builder e = Event.newBuilder()
        .setType(c.isTombstone() ? Event.EventType.DELETE : Event.EventType.PUT)
        .setKv(c.kv());
    if (prevs[i] != null) {
      e.setPrevKv(prevs[i]);
    }
    return e.build();
  }

  @Override
  public int size() {
    return size;
  }
}
