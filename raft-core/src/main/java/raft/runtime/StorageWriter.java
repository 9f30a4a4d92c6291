package raft.runtime;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import raft.core.Ready;
import raft.core.ReadyPipeline;
import raft.storage.durable.DurableStorage;

/**
 * The storage thread (thesis §10.2.1, etcd's asynchronous storage writes): writes what the
 * Raft loop hands it, in order, while the loop goes on ticking, stepping and sending, so that
 * no heartbeat waits behind an fsync. Writes queued while an fsync runs are written together
 * and share the next one (group commit). Once they are durable it reports them back to the loop,
 * which only then acknowledges them ({@link ReadyPipeline#written}). The only thread that
 * touches the WAL.
 *
 * <p>The queue has no bound of its own, because its producers have one: a leader's proposals
 * wait while a write is in flight ({@link ProposalBatcher}), a follower's appends arrive no
 * faster than the leader's in-flight window allows, and a queued write holds only entries that
 * the unstable log holds anyway until they are durable.
 */
final class StorageWriter implements Runnable {

  /** Disk work other than a Ready's writes, run in order with them (snapshot installs). */
  interface Task {
    void run() throws IOException;
  }

  private static final int MAX_BATCH = 1024;
  private static final Object STOP = new Object();

  private final DurableStorage storage;
  private final Consumer<List<ReadyPipeline.Write>> durable;
  private final Consumer<Throwable> failed;
  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private volatile boolean running = true;

  /**
   * @param durable told (on this thread) of writes now durable, oldest first
   * @param failed told of the first failure; nothing is written after it
   */
  StorageWriter(DurableStorage storage, Consumer<List<ReadyPipeline.Write>> durable,
      Consumer<Throwable> failed) {
    this.storage = storage;
    this.durable = durable;
    this.failed = failed;
  }

  void write(ReadyPipeline.Write w) {
    queue.add(w);
  }

  void run(Task t) {
    queue.add(t);
  }

  /** Stops after the work in hand; queued work is dropped (the member is stopping). */
  void stop() {
    running = false;
    queue.add(STOP);
  }

  @Override
  public void run() {
    List<Object> batch = new ArrayList<>();
    try {
      while (running) {
        batch.add(queue.take());
        queue.drainTo(batch, MAX_BATCH);
        runAll(batch);
        batch.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException | Error e) {
      running = false;
      failed.accept(e);
    }
  }

  private void runAll(List<Object> batch) throws IOException {
    List<ReadyPipeline.Write> writes = new ArrayList<>();
    for (Object o : batch) {
      if (!running) {
        return;
      }
      if (o instanceof ReadyPipeline.Write w) {
        writes.add(w);
      } else if (o instanceof Task t) {
        flush(writes);
        t.run();
      }
    }
    flush(writes);
  }

  private void flush(List<ReadyPipeline.Write> writes) throws IOException {
    if (writes.isEmpty()) {
      return;
    }
    List<Ready> readys = new ArrayList<>(writes.size());
    for (ReadyPipeline.Write w : writes) {
      readys.add(w.ready());
    }
    storage.persistAll(readys);
    durable.accept(List.copyOf(writes));
    writes.clear();
  }
}
