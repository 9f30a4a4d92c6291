package raft.kv.watch;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import raft.kv.api.mvccpb.Event;
import raft.kv.mvcc.KeyRange;
import raft.kv.mvcc.KvException;
import raft.kv.mvcc.MvccStore;
import raft.kv.mvcc.RevisionEvents;
import raft.kv.mvcc.RevisionListener;

/**
 * Watchers over the store's revisions. The hub registers itself as the store's
 * {@link RevisionListener}, and hands each committed revision to the matching watchers, on the
 * apply thread, right after the write.
 *
 * <p>No gaps, no duplicates: the hub remembers the last revision it delivered
 * ({@link #currentRevision}); {@link #watch} replays history up to exactly that revision and
 * registers the watcher under the same monitor that live delivery takes, so the next live
 * revision is the first one the watcher gets live.
 *
 * <p>Threading: {@link #watch} and {@link Watcher#cancel} may be called from any thread. Sinks
 * are called with the hub's monitor held: they must not block.
 */
public final class WatchHub implements RevisionListener {
  private final MvccStore store;
  // Guarded by this: the last revision handed to watchers, and the watchers.
  private long deliveredRevision;
  private final List<Watcher> watchers = new ArrayList<>();

  public WatchHub(MvccStore store) {
    this.store = store;
    this.deliveredRevision = store.currentRevision();
    store.setRevisionListener(this);
  }

  /**
   * Starts a watcher on [key, rangeEnd) (etcd's range convention).
   *
   * @param startRevision 0 (or less) for "from the next revision"; a past revision replays the
   *     history from it first; below the compact revision, the sink is told {@code compacted}
   *     and the returned watcher is already cancelled
   */
  public synchronized Watcher watch(ByteString key, ByteString rangeEnd, long startRevision,
      boolean prevKv, boolean noPut, boolean noDelete, WatchSink sink) {
    long start = startRevision > 0 ? startRevision : deliveredRevision + 1;
    Watcher w = new Watcher(key, rangeEnd, start, prevKv, noPut, noDelete, sink);
    if (start <= deliveredRevision) {
      List<RevisionEvents> past;
      try {
        past = store.history(key, rangeEnd, start, deliveredRevision);
      } catch (KvException compacted) {
        w.canceled = true;
        sink.compacted(store.compactRevision());
        return w;
      }
      for (RevisionEvents re : past) {
        w.deliver(re.revision(), re.events());
      }
    }
    if (!w.canceled) {
      watchers.add(w);
    }
    return w;
  }

  /** The last revision delivered to watchers, for progress notifications. */
  public synchronized long currentRevision() {
    return deliveredRevision;
  }

  public synchronized int watcherCount() {
    return watchers.size();
  }

  @Override
  public synchronized void committed(long revision, List<Event> events) {
    deliveredRevision = revision;
    for (Watcher w : new ArrayList<>(watchers)) {
      w.deliver(revision, events);
    }
  }

  /**
   * Ends every watcher with {@code compacted(compactRevision)}: after a snapshot restore the
   * history they were following is replaced, so their clients must re-sync.
   */
  public synchronized void cancelAll(long compactRevision) {
    List<Watcher> all = new ArrayList<>(watchers);
    watchers.clear();
    deliveredRevision = store.currentRevision();
    for (Watcher w : all) {
      w.canceled = true;
      w.sink.compacted(compactRevision);
    }
  }

  /** One watcher; cancel it to stop its events. */
  public final class Watcher {
    private final ByteString key;
    private final ByteString rangeEnd;
    private final long startRevision;
    private final boolean prevKv;
    private final boolean noPut;
    private final boolean noDelete;
    private final WatchSink sink;
    private boolean canceled; // guarded by the hub

    private Watcher(ByteString key, ByteString rangeEnd, long startRevision, boolean prevKv,
        boolean noPut, boolean noDelete, WatchSink sink) {
      this.key = key;
      this.rangeEnd = rangeEnd;
      this.startRevision = startRevision;
      this.prevKv = prevKv;
      this.noPut = noPut;
      this.noDelete = noDelete;
      this.sink = sink;
    }

    /** Stops delivery; idempotent. No sink call starts after this returns. */
    public void cancel() {
      synchronized (WatchHub.this) {
        canceled = true;
        watchers.remove(this);
      }
    }

    public boolean isCanceled() {
      synchronized (WatchHub.this) {
        return canceled;
      }
    }

    public long startRevision() {
      return startRevision;
    }

    private void deliver(long revision, List<Event> events) {
      if (canceled || revision < startRevision) {
        return;
      }
      List<Event> matched = new ArrayList<>();
      for (Event e : events) {
        if (matches(e)) {
          matched.add(prevKv ? e : e.toBuilder().clearPrevKv().build());
        }
      }
      if (matched.isEmpty()) {
        return;
      }
      try {
        sink.events(revision, matched);
      } catch (RuntimeException broken) {
        // A broken sink must not stop the apply thread; it just loses its watcher.
        canceled = true;
        watchers.remove(this);
      }
    }

    private boolean matches(Event e) {
      boolean isPut = e.getType() == Event.EventType.PUT;
      if ((isPut && noPut) || (!isPut && noDelete)) {
        return false;
      }
      return KeyRange.contains(key, rangeEnd, e.getKv().getKey());
    }
  }
}
