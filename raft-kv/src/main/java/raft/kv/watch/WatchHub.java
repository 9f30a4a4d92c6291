package raft.kv.watch;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.LongConsumer;
import raft.kv.api.mvccpb.Event;
import raft.kv.mvcc.KeyRange;
import raft.kv.mvcc.KvException;
import raft.kv.mvcc.MvccStore;
import raft.kv.mvcc.RevisionEvents;
import raft.kv.mvcc.RevisionListener;

/**
 * Watchers over the store's revisions, split as etcd's watchableStore splits them: a watcher
 * is <em>synced</em> (it has had every revision up to the last one delivered, and gets the next
 * one live, on the apply thread) or <em>slow</em> (it needs revisions from {@code next} on,
 * and is caught up later from the store's history, off the apply thread).
 *
 * <p>Why: a watch client that stops reading must not stop the member. Live delivery offers
 * each revision to the sink, which refuses it when its client is not keeping up (a gRPC stream
 * that is not ready); the watcher then moves to the slow set remembering the revision it
 * missed, and the apply thread skips it from then on: it never blocks on a slow client and
 * allocates nothing for it. When the client is ready again its owner calls
 * {@link Watcher#resume}; the catch-up reads the history on the catch-up executor, and once it
 * reaches the last delivered revision moves the watcher back to synced.
 *
 * <p>Catch-up responses are grouped as etcd 3.4's syncWatchers groups them (a watch from a
 * past revision, or one that fell behind): one sink call carries the matching events of up to
 * {@link #BATCH_REVISIONS} revisions (etcd's watchBatchMaxRevs), read up to the revision last
 * delivered when the batch began (etcd's current revision at sync time), which is also the
 * batch's header revision; a watcher with more revisions pending gets further batches. As in
 * etcd, revisions are counted over the events in the watcher's key range before its
 * NOPUT/NODELETE filters, and a batch left empty by the filters is not sent. Beyond etcd, a
 * batch also ends once it holds {@link #BATCH_BYTES} of events (it always holds at least one
 * revision): etcd would send 1,000 revisions of 1.5 MiB values as one 1.5 GB message, which
 * would need that much memory here and pass a Java client's default 4 MiB message limit. Live
 * events stay one sink call per revision, with that revision as header, as in etcd.
 *
 * <p>No gaps, no duplicates, revision order: the hub remembers the last revision it delivered
 * ({@link #currentRevision}); every sink call, live or catch-up, and every move between the
 * sets happens under the hub's monitor, and a catch-up batch is delivered only if the
 * watcher's {@code next} is still the revision the batch starts at. A watcher whose
 * {@code next} has been compacted away is told {@code compacted} and ends (etcd's
 * ErrCompacted), as a watch that starts below the compact revision does.
 *
 * <p>Threading: {@link #watch}, {@link Watcher#resume} and {@link Watcher#cancel} may be
 * called from any thread. Sinks are called with the hub's monitor held: they must not block.
 */
public final class WatchHub implements RevisionListener {
  /** etcd's watchBatchMaxRevs: the most revisions one catch-up response carries. */
  public static final int BATCH_REVISIONS = 1000;
  /** Beyond etcd: a catch-up response ends once it holds this many bytes of events. */
  public static final long BATCH_BYTES = 1024 * 1024;
  /**
   * How many revisions one history read covers: a batch is read in such steps, so that what a
   * read holds beyond the batch itself stays bounded.
   */
  static final int CATCH_UP_REVISIONS = 128;
  /** How many batches one watcher's catch-up sends before it lets the next watcher's run. */
  private static final int BATCHES_PER_TURN = 2;

  private final MvccStore store;
  private volatile Executor catchUpExecutor = Runnable::run;
  // Guarded by this: the last revision handed to watchers, and the two sets.
  private long deliveredRevision;
  private final List<Watcher> synced = new ArrayList<>();
  private final Set<Watcher> slow = new LinkedHashSet<>();
  // Guarded by this: how many watchers fell behind live delivery, and how many of those caught
  // up, since the hub started (for the log).
  private long movedToSlow;
  private long caughtUp;

  public WatchHub(MvccStore store) {
    this.store = store;
    this.deliveredRevision = store.currentRevision();
    store.setRevisionListener(this);
  }

  /**
   * Where catch-ups run. The default runs them on the calling thread (tests and tools); a
   * server passes its own executor so that neither the apply thread nor a network thread reads
   * history.
   */
  public void setCatchUpExecutor(Executor executor) {
    this.catchUpExecutor = executor;
  }

  /**
   * Starts a watcher on [key, rangeEnd) (etcd's range convention).
   *
   * @param startRevision 0 (or less) for "from the next revision"; a past revision starts the
   *     watcher slow, to be caught up from history on the catch-up executor; below the compact
   *     revision, the sink is told {@code compacted} and the returned watcher is already
   *     cancelled
   */
  public Watcher watch(ByteString key, ByteString rangeEnd, long startRevision,
      boolean prevKv, boolean noPut, boolean noDelete, WatchSink sink) {
    // Read outside the monitor: the store's lock may be queued behind a write, and the apply
    // thread needs this monitor to finish that write. A compaction after this read is still
    // caught, by the catch-up's history read.
    long compacted = store.compactRevision();
    Watcher w;
    synchronized (this) {
      long start = startRevision > 0 ? startRevision : deliveredRevision + 1;
      w = new Watcher(key, rangeEnd, start, prevKv, noPut, noDelete, sink);
      if (start < compacted) {
        w.state = State.CANCELED;
        sink.compacted(compacted);
        return w;
      }
      if (start > deliveredRevision) {
        w.state = State.SYNCED;
        synced.add(w);
        return w;
      }
      w.state = State.SLOW;
      slow.add(w);
    }
    w.resume();
    return w;
  }

  /** The last revision delivered to watchers, for progress notifications. */
  public synchronized long currentRevision() {
    return deliveredRevision;
  }

  /** Watchers not cancelled, synced or slow. */
  public synchronized int watcherCount() {
    return synced.size() + slow.size();
  }

  /** What the log says about slow watchers: counts, and the oldest revision one still needs. */
  public record SlowReport(int slow, long movedToSlow, long caughtUp, long oldestNeeded,
      long currentRevision) {}

  public synchronized SlowReport slowReport() {
    long oldest = slow.stream().mapToLong(w -> w.next).min().orElse(deliveredRevision + 1);
    return new SlowReport(slow.size(), movedToSlow, caughtUp, oldest, deliveredRevision);
  }

  /**
   * Calls {@code send} with the revision up to which every given watcher has had all of its
   * events (the last delivered revision if all are synced), under the hub's monitor so that no
   * event is delivered to them meanwhile: what etcd's progress notification promises.
   */
  public synchronized void progress(Collection<Watcher> ws, LongConsumer send) {
    long rev = deliveredRevision;
    for (Watcher w : ws) {
      if (w.state == State.SLOW) {
        rev = Math.min(rev, w.next - 1);
      }
    }
    send.accept(rev);
  }

  /**
   * Calls {@code send} with the last delivered revision if {@code w} is synced, under the hub's
   * monitor (no event reaches it meanwhile); nothing if it is catching up: etcd 3.4's
   * watchableStore.progress, for periodic progress notifications.
   */
  public synchronized void progressIfSynced(Watcher w, LongConsumer send) {
    if (w.state == State.SYNCED) {
      send.accept(deliveredRevision);
    }
  }

  @Override
  public synchronized void committed(long revision, List<Event> events) {
    deliveredRevision = revision;
    if (synced.isEmpty()) {
      return;
    }
    // The store's events are made when read; make them once here, not once per watcher.
    events = List.copyOf(events);
    for (Iterator<Watcher> it = synced.iterator(); it.hasNext(); ) {
      Watcher w = it.next();
      if (!w.deliver(revision, events)) {
        it.remove();
        if (w.state != State.CANCELED) { // refused, not broken: catch it up later
          w.state = State.SLOW;
          w.next = revision;
          w.fellBehind = true;
          slow.add(w);
          movedToSlow++;
        }
      }
    }
  }

  /**
   * Ends every watcher with {@code compacted(compactRevision)}: after a snapshot restore the
   * history they were following is replaced, so their clients must re-sync.
   */
  public synchronized void cancelAll(long compactRevision) {
    List<Watcher> all = new ArrayList<>(synced);
    all.addAll(slow);
    synced.clear();
    slow.clear();
    deliveredRevision = store.currentRevision();
    for (Watcher w : all) {
      w.state = State.CANCELED;
      w.sink.compacted(compactRevision);
    }
  }

  private enum State { SYNCED, SLOW, CANCELED }

  /**
   * One catch-up of a slow watcher, in batches: reads a batch of history outside the monitor
   * (so live delivery goes on meanwhile), then delivers it under the monitor. Stops when the
   * sink refuses (its owner will resume it), when the watcher is synced again, or cancelled.
   */
  private void catchUp(Watcher w) {
    for (int batches = 0; ; batches++) {
      if (batches == BATCHES_PER_TURN) {
        // Back of the queue: one fast reader must not keep the only catch-up thread from the
        // other slow watchers (and their compaction cancels). catchUpQueued stays true.
        catchUpExecutor.execute(() -> catchUp(w));
        return;
      }
      long from;
      long syncRevision;
      synchronized (this) {
        if (w.state != State.SLOW || trySync(w)) {
          w.catchUpQueued = false;
          return;
        }
        from = w.next;
        syncRevision = deliveredRevision;
      }
      Batch batch;
      try {
        batch = readBatch(w, from, syncRevision);
      } catch (KvException compacted) {
        endCompacted(w, from);
        return;
      }
      synchronized (this) {
        if (w.state != State.SLOW || w.next != from || !w.deliverBatch(batch)) {
          w.catchUpQueued = false; // refused: the sink's owner calls resume when ready
          return;
        }
      }
    }
  }

  /**
   * One catch-up response: {@code events} of the revisions from the batch's start up to
   * {@code next} (exclusive), sent with {@code headerRevision}.
   */
  private record Batch(List<Event> events, long next, long headerRevision) {}

  /**
   * Reads the next batch outside the monitor (live delivery goes on meanwhile), in reads of
   * {@link #CATCH_UP_REVISIONS} revisions, up to {@code syncRevision}: etcd's eventBatch.add,
   * plus the byte bound.
   */
  private Batch readBatch(Watcher w, long from, long syncRevision) {
    List<Event> events = new ArrayList<>();
    int revisions = 0;
    long bytes = 0;
    for (long next = from; next <= syncRevision; ) {
      long to = Math.min(syncRevision, next + CATCH_UP_REVISIONS - 1);
      for (RevisionEvents re : store.history(w.key, w.rangeEnd, next, to)) {
        if (revisions == BATCH_REVISIONS || bytes >= BATCH_BYTES) {
          return new Batch(events, re.revision(), syncRevision);
        }
        revisions++;
        for (Event e : re.events()) {
          events.add(e);
          // What the client gets: the prev_kv the history carries only if it asked for it.
          bytes += w.prevKv ? e.getSerializedSize() : e.getKv().getSerializedSize();
        }
      }
      next = to + 1;
    }
    return new Batch(events, syncRevision + 1, syncRevision);
  }

  // Under the monitor: a slow watcher that has had everything delivered so far rejoins the
  // synced set, so the next live revision is the first one it gets live.
  private boolean trySync(Watcher w) {
    if (w.next <= deliveredRevision) {
      return false;
    }
    slow.remove(w);
    synced.add(w);
    w.state = State.SYNCED;
    if (w.fellBehind) { // a replay from a past start revision is no news for the log
      w.fellBehind = false;
      caughtUp++;
    }
    return true;
  }

  private void endCompacted(Watcher w, long from) {
    synchronized (this) {
      w.catchUpQueued = false;
      if (w.state != State.SLOW || w.next != from) {
        return;
      }
      slow.remove(w);
      w.state = State.CANCELED;
      w.sink.compacted(store.compactRevision());
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
    // Guarded by the hub. Invariant: next is meaningful only while SLOW: the first revision
    // this watcher has not had.
    private State state;
    private long next;
    // Guarded by the hub: a catch-up is queued or running, so resume need not queue another.
    private boolean catchUpQueued;
    // Guarded by the hub: slow because its sink refused live events (not a past start).
    private boolean fellBehind;

    private Watcher(ByteString key, ByteString rangeEnd, long startRevision, boolean prevKv,
        boolean noPut, boolean noDelete, WatchSink sink) {
      this.key = key;
      this.rangeEnd = rangeEnd;
      this.startRevision = startRevision;
      this.next = startRevision;
      this.prevKv = prevKv;
      this.noPut = noPut;
      this.noDelete = noDelete;
      this.sink = sink;
    }

    /** Stops delivery; idempotent. No sink call starts after this returns. */
    public void cancel() {
      synchronized (WatchHub.this) {
        state = State.CANCELED;
        synced.remove(this);
        slow.remove(this);
      }
    }

    /**
     * The sink can take events again: if this watcher is slow, queue its catch-up (at most one
     * at a time). Cheap and idempotent; call it whenever the client may have become ready.
     */
    public void resume() {
      synchronized (WatchHub.this) {
        if (state != State.SLOW || catchUpQueued) {
          return;
        }
        catchUpQueued = true;
      }
      catchUpExecutor.execute(() -> catchUp(this));
    }

    public boolean isCanceled() {
      synchronized (WatchHub.this) {
        return state == State.CANCELED;
      }
    }

    public boolean isSynced() {
      synchronized (WatchHub.this) {
        return state == State.SYNCED;
      }
    }

    public long startRevision() {
      return startRevision;
    }

    // Under the hub's monitor: one live revision. False if the sink refused (or broke: then
    // also cancelled).
    private boolean deliver(long revision, List<Event> events) {
      if (state == State.CANCELED || revision < startRevision) {
        return true;
      }
      return send(revision, events);
    }

    // Under the hub's monitor: one catch-up batch; on success the watcher needs batch.next next.
    private boolean deliverBatch(Batch batch) {
      if (!send(batch.headerRevision(), batch.events())) {
        return false;
      }
      next = batch.next();
      return true;
    }

    // The matching events (prev_kv dropped unless asked for), if any, to the sink.
    private boolean send(long headerRevision, List<Event> events) {
      List<Event> matched = null;
      for (Event e : events) {
        if (matches(e)) {
          if (matched == null) {
            matched = new ArrayList<>(events.size());
          }
          matched.add(prevKv ? e : e.toBuilder().clearPrevKv().build());
        }
      }
      if (matched == null) {
        return true;
      }
      try {
        return sink.events(headerRevision, matched);
      } catch (RuntimeException broken) {
        // A broken sink must not stop the apply thread; it just loses its watcher.
        state = State.CANCELED;
        slow.remove(this);
        return false;
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
