package raft.runtime;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import raft.core.RaftNode;
import raft.core.ReadyPipeline;
import raft.pb.ConfState;
import raft.pb.Message;
import raft.pb.MessageType;
import raft.storage.durable.DurableStorage;
import raft.transport.Transport;

/**
 * The Raft loop: the one thread that owns the {@link RaftNode}. Every input (a tick, a message
 * from the transport, a client request, writes reported durable) reaches it through one queue,
 * and after each batch of inputs it carries out what they made ready with the {@link
 * ReadyPipeline}: messages to the transport at once, committed entries and confirmed reads to
 * the apply side ({@link ToApplier}), writes to the storage thread ({@link StorageWriter}),
 * which it also runs. Only when a write is durable does the pipeline acknowledge it (thesis
 * §10.2.1), on this loop again.
 */
final class RaftLoop {

  /** An input for the Raft loop. An IOException from storage is fatal. */
  interface Input {
    void run() throws IOException;
  }

  private static final int MAX_INPUTS_PER_READY = 1024;

  private final long id;
  private final Consumer<String> log;
  private final RaftNode node;
  private final Transport transport;
  private final Lifecycle lifecycle;
  private final StorageWriter writer;
  private final ReadyPipeline pipeline;
  private final Thread loopThread;
  private final Thread storageThread;
  private final RuntimeMetrics metrics;
  private final LinkedBlockingQueue<Input> inbox = new LinkedBlockingQueue<>();
  private final AtomicBoolean tickQueued = new AtomicBoolean();
  private volatile RaftNode.Status status;
  private final MessageCounts sent = new MessageCounts(); // for the cluster view
  private ConfState countedConf; // the loop's: the configuration `sent` was last pruned to
  private int writesInFlight; // the loop's: handed to the storage thread, not yet finished
  private Runnable diskIdle = () -> { };

  RaftLoop(long id, Consumer<String> log, RaftNode node, DurableStorage storage,
      Transport transport, ReadyPipeline.StateMachineQueue toApplier, Lifecycle lifecycle,
      RuntimeMetrics metrics) {
    this.id = id;
    this.metrics = metrics;
    this.log = log;
    this.node = node;
    this.transport = transport;
    this.lifecycle = lifecycle;
    this.writer = new StorageWriter(storage, this::durable,
        e -> lifecycle.fail(e, Failure.Site.STORAGE));
    this.pipeline = new ReadyPipeline(node, this::write, this::send, toApplier);
    this.loopThread = new Thread(this::run, "raft-loop-" + id);
    this.storageThread = new Thread(writer, "raft-storage-" + id);
    this.status = node.status();
  }

  void start() {
    storageThread.start();
    loopThread.start();
  }

  /** Wakes the loop so that it sees the member stopped, and stops the storage thread. */
  void stop() {
    inbox.add(() -> { });
    writer.stop();
  }

  void join() {
    Lifecycle.join(loopThread);
    Lifecycle.join(storageThread);
  }

  /** Messages handed to the transport so far, per peer and kind; read from any thread. */
  MessageCounts sent() {
    return sent;
  }

  /** The node as of the last batch; safe from any thread. */
  RaftNode.Status status() {
    return status;
  }

  /**
   * Told on the loop each time the last write in flight is finished: proposals wait for that
   * ({@link ProposalBatcher}), so that those arriving during an fsync go out in one batch.
   */
  void onDiskIdle(Runnable r) {
    diskIdle = r;
  }

  /** Whether a write handed to the storage thread is not finished yet (loop only). */
  boolean diskBusy() {
    return writesInFlight > 0;
  }

  /** The storage thread, for disk work that must stay in order with the writes. */
  StorageWriter writer() {
    return writer;
  }

  void submit(Input in) {
    if (lifecycle.isRunning()) {
      inbox.add(in);
    }
  }

  /** Runs {@code in} on the loop, and fails {@code f} if the member stops first. */
  void submitFor(CompletableFuture<?> f, Input in) {
    if (lifecycle.track(f)) {
      inbox.add(in);
    }
  }

  void receive(Message m) {
    submit(() -> {
      try {
        node.step(m);
      } catch (IllegalArgumentException e) {
        log.accept("member " + id + ": dropped a bad message from " + m.getFrom() + ": "
            + e.getMessage());
      }
    });
  }

  void unreachable(long peer) {
    submit(() -> node.reportUnreachable(peer));
  }

  /** The {@link Ticker}'s callback. */
  void tick() {
    // A stalled loop gets one tick, not a burst: a burst after a long fsync would fire
    // elections that the cluster does not need.
    if (tickQueued.compareAndSet(false, true)) {
      submit(() -> {
        tickQueued.set(false);
        node.tick();
      });
    }
  }

  /**
   * Completes once the loop has run every input queued before, and the writes they made are
   * durable and acknowledged (what waited for them sent). A test that ticks by hand waits on
   * it, so that each tick's consequences are out before the next tick.
   */
  CompletableFuture<Void> settled() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    submitFor(f, () -> {
      pipeline.drain(); // this batch's writes go to the storage thread before the marker
      // The storage thread reports those writes durable before it runs the marker, so the
      // loop acknowledges them before it completes f.
      writer.run(() -> submit(() -> f.complete(null)));
    });
    return f;
  }

  private void run() {
    List<Input> batch = new ArrayList<>();
    try {
      while (lifecycle.isRunning()) {
        batch.add(inbox.take());
        inbox.drainTo(batch, MAX_INPUTS_PER_READY);
        for (Input in : batch) {
          if (!lifecycle.isRunning()) {
            return;
          }
          in.run();
        }
        batch.clear();
        // Everything queued above lands in one Ready; the storage thread adds group commit.
        pipeline.drain();
        if (!node.statusIs(status)) { // a batch that moved nothing (a tick) keeps its Status
          status = node.status();
        }
        metrics.afterBatch(node.raft());
        if (status.confState() != countedConf) { // the tracker replaces it on each change
          countedConf = status.confState();
          sent.retain(countedConf);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException | Error e) {
      lifecycle.fail(e, Failure.Site.RAFT_LOOP);
    }
  }

  private void write(ReadyPipeline.Write w) {
    writesInFlight++;
    writer.write(w);
  }

  /** On the storage thread: these writes are durable; the loop finishes them. */
  private void durable(List<ReadyPipeline.Write> writes) {
    submit(() -> {
      writesInFlight -= writes.size();
      for (ReadyPipeline.Write w : writes) {
        pipeline.written(w);
      }
      if (writesInFlight == 0) {
        diskIdle.run();
      }
    });
  }

  private void send(Message m) {
    if (m.getType() == MessageType.MSG_HEARTBEAT) {
      HeartbeatSentEvent.emit(m.getTo(), m.getTerm());
    }
    transport.send(m);
    sent.sent(m);
    if (m.getType() == MessageType.MSG_SNAP) {
      // The transport hands a snapshot over in one message; count it as delivered (simplest).
      submit(() -> node.reportSnapshot(m.getTo(), true));
    }
  }
}
