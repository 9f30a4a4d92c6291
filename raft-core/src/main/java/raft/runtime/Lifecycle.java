package raft.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import raft.runtime.NodeRuntime.FailureListener;
import raft.storage.durable.DurableStorage;
import raft.transport.Transport;

/**
 * Starting and stopping a member, and the one way it fails: the threads, the requests waiting
 * on them, and the listeners told when the member stops for good (see {@link Failure}).
 *
 * <p>A stop is final and happens once, whether it is a {@link #close} or a {@link #fail}: the
 * loop takes no more input, the storage and apply threads finish the work in hand, and every
 * request still waiting fails with {@link NodeStoppedException}.
 */
final class Lifecycle {

  /** What runs, in the order it starts. */
  record Parts(Applier applier, RaftLoop loop, Transport transport, Ticker ticker,
      DurableStorage storage) {}

  private final long id;
  private final Path dataDir;
  private final Consumer<String> log;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicReference<Failure> failure = new AtomicReference<>();
  // Guarded by itself, so that each listener hears of the failure exactly once.
  private final List<FailureListener> failureListeners = new ArrayList<>();
  private final Set<CompletableFuture<?>> pending = ConcurrentHashMap.newKeySet();
  private volatile boolean running = true;
  // Set once by own(), before start(): the threads started after it see it (Thread.start).
  private Parts parts;
  private Thread applyThread;

  Lifecycle(long id, Path dataDir, Consumer<String> log) {
    this.id = id;
    this.dataDir = dataDir;
    this.log = log;
  }

  /** Takes charge of the parts; once, before {@link #start}. */
  void own(Parts p) {
    this.parts = p;
    this.applyThread = new Thread(p.applier(), "raft-apply-" + id);
  }

  /** Starts the threads, then the transport and the clock. Idempotent; not after close. */
  void start() {
    if (closed.get() || !started.compareAndSet(false, true)) {
      return;
    }
    applyThread.start();
    parts.loop().start();
    parts.transport().start(parts.loop()::receive, parts.loop()::unreachable);
    parts.ticker().start(parts.loop()::tick);
  }

  /** False once the member has stopped: the loop takes no more input. */
  boolean isRunning() {
    return running;
  }

  /**
   * Records {@code f} as waiting, so that a stop fails it; false (and f failed) if the member
   * has stopped already. Either the stopper sees f in pending, or we see running == false.
   */
  boolean track(CompletableFuture<?> f) {
    pending.add(f);
    f.whenComplete((v, e) -> pending.remove(f));
    if (!running) {
      f.completeExceptionally(stopped());
      return false;
    }
    return true;
  }

  NodeStoppedException stopped() {
    Failure f = failure.get();
    return new NodeStoppedException("member " + id + " has stopped"
        + (f != null ? " (" + f.line() + ")" : ""));
  }

  /** Why this member stopped for good; null while it is healthy or was only closed. */
  Failure failure() {
    return failure.get();
  }

  /** See {@link FailureListener}: told once, even if the member has failed already. */
  void addFailureListener(FailureListener l) {
    Failure f;
    synchronized (failureListeners) {
      f = failure.get();
      if (f == null) {
        failureListeners.add(l);
        return;
      }
    }
    l.failed(f);
  }

  /** Fatal: stop everything, once, and say why. Never acknowledge what was not persisted. */
  void fail(Throwable e, Failure.Site site) {
    Failure f = Failure.of(e, site, dataDir);
    if (!failure.compareAndSet(null, f)) {
      return;
    }
    log.accept("member " + id + " stops: " + f.line());
    stopThreads();
    failPending();
    List<FailureListener> told;
    synchronized (failureListeners) {
      told = List.copyOf(failureListeners);
    }
    for (FailureListener l : told) {
      try {
        l.failed(f);
      } catch (RuntimeException le) {
        log.accept("member " + id + ": a failure listener failed: " + le);
      }
    }
  }

  /** Stops the threads, closes the transport and the storage. Idempotent. */
  void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    stopThreads();
    if (started.get()) {
      parts.loop().join();
      join(applyThread);
    }
    try {
      parts.transport().close();
    } catch (RuntimeException e) {
      log.accept("member " + id + ": closing the transport failed: " + e);
    }
    try {
      parts.storage().close();
    } catch (IOException e) {
      log.accept("member " + id + ": closing the storage failed: " + e);
    }
    failPending();
  }

  /** Never blocks: the thread that failed may be the caller. */
  private void stopThreads() {
    running = false;
    parts.ticker().stop();
    parts.loop().stop();
    parts.applier().stop();
  }

  private void failPending() {
    for (CompletableFuture<?> f : List.copyOf(pending)) {
      f.completeExceptionally(stopped());
    }
  }

  static void join(Thread t) {
    if (t == Thread.currentThread()) {
      return; // close() called from a listener or the state machine
    }
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
