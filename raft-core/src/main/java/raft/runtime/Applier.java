package raft.runtime;

import java.io.IOException;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import raft.confchange.ConfChanges;
import raft.pb.ConfChangeV2;
import raft.pb.ConfState;
import raft.pb.Entry;
import raft.pb.EntryType;
import raft.pb.Snapshot;

/**
 * The apply thread: feeds committed entries to the {@link StateMachine} in log order, so that a
 * slow state machine delays neither heartbeats nor replication (they run on the Raft loop).
 * Completes linearizable reads once their read index is applied (thesis §6.4), and every
 * {@code snapshotCount} entries takes a snapshot of the state machine for log compaction (§7),
 * or sooner once the entries since the last snapshot carry {@code snapshotBytes}: until a
 * snapshot they stay in memory, and 100,000 entries of 2 KiB values filled a 256 MB heap.
 *
 * <p>Threading: {@link #enqueueBatch} and {@link #enqueueRead} are called by the Raft loop and
 * never block; everything else happens on this object's own thread.
 */
final class Applier implements Runnable {

  /**
   * Takes a snapshot of the state machine at {@code index} (of {@code term}), on the apply
   * thread, so the state cannot move while it is written.
   */
  interface SnapshotSink {
    void snapshotDue(long index, long term) throws IOException;
  }

  /** Work that must see the state machine still, at a known applied index and term. */
  interface AtApplied {
    void run(long index, long term);
  }

  private record Batch(Snapshot snapshot, List<Entry> entries) {}

  private record Read(long index, CompletableFuture<Long> future) {}

  private static final Object STOP = new Object();

  private final StateMachine sm;
  private final long snapshotCount;
  private final long snapshotBytes;
  private final SnapshotSink sink;
  private final Consumer<Throwable> onFailure;
  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  // Reads waiting for their index to be applied, lowest index first. Owned by this thread.
  private final PriorityQueue<Read> reads =
      new PriorityQueue<>((a, b) -> Long.compare(a.index(), b.index()));
  // Invariant: applied is the index of the last entry (or snapshot) the state machine has seen;
  // written only by this thread, read by status() on any thread.
  private volatile long applied;
  private long appliedTerm;
  // The configuration as of `applied`: what a snapshot taken now records. Folded with the same
  // function the protocol uses (ConfChanges.apply), from the same snapshot, so they agree.
  private volatile ConfState conf;
  private long lastSnapshotIndex;
  private long bytesSinceSnapshot;
  private volatile boolean stopped;

  /** Starts from an empty state machine; enqueue the local snapshot first to restore it. */
  Applier(StateMachine sm, ConfState conf, long snapshotCount, long snapshotBytes,
      SnapshotSink sink, Consumer<Throwable> onFailure) {
    this.sm = sm;
    this.conf = conf;
    this.snapshotCount = snapshotCount;
    this.snapshotBytes = snapshotBytes;
    this.sink = sink;
    this.onFailure = onFailure;
  }

  long applied() {
    return applied;
  }

  /** The configuration as of the applied index; read it on the apply thread for a snapshot. */
  ConfState confState() {
    return conf;
  }

  /** Hands over a snapshot to restore (may be null) and the committed entries after it. */
  void enqueueBatch(Snapshot snapshot, List<Entry> committed) {
    queue.add(new Batch(snapshot, committed));
  }

  /** Completes {@code f} with {@code index} once the state machine has applied that far. */
  void enqueueRead(long index, CompletableFuture<Long> f) {
    queue.add(new Read(index, f));
  }

  /** Runs {@code task} on the apply thread, between two batches. */
  void enqueueAtApplied(AtApplied task) {
    queue.add(task);
  }

  /** Stops after the task at hand; queued batches are not applied (they are in the log). */
  void stop() {
    stopped = true;
    queue.add(STOP);
  }

  @Override
  public void run() {
    try {
      while (!stopped) {
        Object task = queue.take();
        if (task instanceof Batch b) {
          apply(b);
          maybeSnapshot();
        } else if (task instanceof Read r) {
          reads.add(r);
        } else if (task instanceof AtApplied t) {
          t.run(applied, appliedTerm);
        }
        completeReads();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException | Error e) {
      onFailure.accept(e);
    }
  }

  private void apply(Batch b) {
    if (b.snapshot() != null && b.snapshot().getMetadata().getIndex() > applied) {
      // §7: the leader's snapshot replaces the state; later entries follow in order.
      long index = b.snapshot().getMetadata().getIndex();
      sm.restore(index, b.snapshot().getData());
      applied = index;
      appliedTerm = b.snapshot().getMetadata().getTerm();
      conf = b.snapshot().getMetadata().getConfState();
      lastSnapshotIndex = index;
      bytesSinceSnapshot = 0;
    }
    for (Entry e : b.entries()) {
      if (stopped) {
        return;
      }
      if (e.getIndex() <= applied) {
        continue; // covered by a snapshot restored above
      }
      if (e.getType() == EntryType.ENTRY_NORMAL) {
        sm.apply(e.getIndex(), e.getTerm(), e.getData());
      } else {
        applyConfChange(e);
      }
      applied = e.getIndex();
      appliedTerm = e.getTerm();
      bytesSinceSnapshot += e.getData().size();
    }
  }

  private void applyConfChange(Entry e) {
    ConfChangeV2 cc = ConfChanges.decode(e);
    ConfChanges.Result r = ConfChanges.apply(conf, cc);
    conf = r.after();
    sm.applyConfChange(e.getIndex(), e.getTerm(), cc, r.after(), r.refused());
  }

  private void completeReads() {
    while (!reads.isEmpty() && reads.peek().index() <= applied) {
      Read r = reads.poll();
      r.future().complete(r.index());
    }
  }

  private void maybeSnapshot() throws IOException {
    if (snapshotCount > 0 && (applied - lastSnapshotIndex >= snapshotCount
        || bytesSinceSnapshot >= snapshotBytes)) {
      lastSnapshotIndex = applied;
      bytesSinceSnapshot = 0;
      sink.snapshotDue(applied, appliedTerm);
    }
  }
}
