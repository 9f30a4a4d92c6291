package raft.kv.bench;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import raft.kv.client.Clients;

/**
 * Drives one run: a few dispatch threads issue asynchronous requests, and a semaphore of
 * {@code --clients} permits bounds how many are in flight (no thread per client). Responses
 * arrive on gRPC threads, which record latency into a lock-free HdrHistogram recorder. A
 * progress thread drains the recorder about once a second and prints one bounded line.
 *
 * <p>Requests started before the warmup ends are sent but not counted. Blocking: {@link #run}
 * returns when the run is over and every request has answered or timed out.
 */
final class BenchRunner {
  static final int MAX_DISPATCHERS = 4;
  private final BenchConfig config;
  private final Operations.Operation op;
  private final int conns;
  private final PrintWriter progressOut;
  private final boolean showProgress;
  private final long drainTimeoutMs;

  private final Recorder recorder = new Recorder(3);
  private final Histogram total = new Histogram(3);
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final LongAdder completed = new LongAdder();
  private final LongAdder failed = new LongAdder();

  BenchRunner(BenchConfig config, Operations.Operation op, int conns, PrintWriter progressOut,
      boolean showProgress, long drainTimeoutMs) {
    this.config = config;
    this.op = op;
    this.conns = conns;
    this.progressOut = progressOut;
    this.showProgress = showProgress;
    this.drainTimeoutMs = drainTimeoutMs;
  }

  BenchResult run(String targetName) throws InterruptedException {
    Semaphore inFlight = new Semaphore(config.clients());
    long start = System.nanoTime();
    long measureFrom = start + config.warmup().toNanos();
    long stopAt = config.duration() == null ? Long.MAX_VALUE
        : measureFrom + config.duration().toNanos();
    OpenLoop schedule = config.rate() > 0 ? new OpenLoop(start, config.rate()) : null;
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bench-progress");
      t.setDaemon(true);
      return t;
    });
    Progress progress = new Progress(config.workload().cliName, measureFrom);
    ticker.scheduleAtFixedRate(progress::tick, 1, 1, TimeUnit.SECONDS);
    try {
      dispatch(inFlight, schedule, measureFrom, stopAt);
      if (!inFlight.tryAcquire(config.clients(), drainTimeoutMs, TimeUnit.MILLISECONDS)) {
        errors.computeIfAbsent("no answer before the run ended", k -> new LongAdder())
            .add(config.clients() - inFlight.availablePermits());
      }
    } finally {
      ticker.shutdownNow();
      ticker.awaitTermination(5, TimeUnit.SECONDS);
    }
    long end = System.nanoTime();
    progress.finish();
    synchronized (total) {
      total.add(recorder.getIntervalHistogram());
      Map<String, Long> errorCounts = new HashMap<>();
      errors.forEach((k, v) -> errorCounts.put(k, v.sum()));
      return BenchResult.of(config, targetName, total, errorCounts,
          Math.max(0, end - measureFrom) / 1e9);
    }
  }

  /**
   * Up to {@link #MAX_DISPATCHERS} threads issue requests: building, serializing and sending
   * one costs the client tens of microseconds, and one thread alone capped a 64-client run at
   * about 6,000 requests/s, against any server.
   */
  private void dispatch(Semaphore inFlight, OpenLoop schedule, long measureFrom, long stopAt)
      throws InterruptedException {
    AtomicLong nextSeq = new AtomicLong();
    AtomicLong measured = new AtomicLong();
    List<Thread> dispatchers = new ArrayList<>();
    for (int i = 0; i < Math.min(config.clients(), MAX_DISPATCHERS); i++) {
      Thread t = new Thread(() -> {
        try {
          dispatchLoop(inFlight, schedule, measureFrom, stopAt, nextSeq, measured);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "bench-dispatch-" + i);
      t.setDaemon(true);
      t.start();
      dispatchers.add(t);
    }
    try {
      for (Thread t : dispatchers) {
        t.join();
      }
    } finally {
      dispatchers.forEach(Thread::interrupt);
    }
  }

  private void dispatchLoop(Semaphore inFlight, OpenLoop schedule, long measureFrom,
      long stopAt, AtomicLong nextSeq, AtomicLong measured) throws InterruptedException {
    while (true) {
      long seq = nextSeq.getAndIncrement();
      long due = 0;
      if (schedule != null) {
        due = schedule.dueAt(seq);
        for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
          LockSupport.parkNanos(due - now);
        }
      }
      inFlight.acquire();
      // Open loop: from the due time, so waiting for a free client counts as latency.
      long startedAt = schedule != null ? due : System.nanoTime();
      boolean counted = startedAt >= measureFrom;
      if (startedAt >= stopAt || config.duration() == null && counted
          && measured.incrementAndGet() > config.total()) {
        inFlight.release();
        return;
      }
      issue(seq, inFlight, startedAt, counted);
    }
  }

  private void issue(long seq, Semaphore inFlight, long startedAt, boolean counted) {
    ListenableFuture<?> f;
    try {
      f = op.issue(seq, (int) (seq % conns));
    } catch (RuntimeException e) {
      f = Futures.immediateFailedFuture(e);
    }
    Futures.addCallback(f, new FutureCallback<Object>() {
      @Override
      public void onSuccess(Object result) {
        if (counted) {
          recorder.recordValue(Math.max(1, (System.nanoTime() - startedAt) / 1000));
          completed.increment();
        }
        inFlight.release();
      }

      @Override
      public void onFailure(Throwable t) {
        if (counted) {
          errors.computeIfAbsent(Clients.errorMessage(t), k -> new LongAdder()).increment();
          failed.increment();
        }
        inFlight.release();
      }
    }, MoreExecutors.directExecutor());
  }

  /**
   * The progress line: carriage-return refreshed on a terminal, a new line every 5 s
   * otherwise, none when progressOut is null (--no-progress).
   */
  private final class Progress {
    private final String name;
    private final long measureFrom;
    private long lastCount;
    private long lastPrinted;
    private int ticks;

    Progress(String name, long measureFrom) {
      this.name = name;
      this.measureFrom = measureFrom;
    }

    void tick() {
      long now = System.nanoTime();
      Histogram interval;
      synchronized (total) {
        interval = recorder.getIntervalHistogram();
        total.add(interval);
      }
      long count = completed.sum();
      long perSec = count - lastCount;
      lastCount = count;
      ticks++;
      if (progressOut == null || !showProgress && ticks % 5 != 0) {
        return;
      }
      String phase = now < measureFrom ? "warmup" : String.format("%5.1fs",
          (now - measureFrom) / 1e9);
      String line = String.format("%s %s: %d ok, %d failed, %d ops/s, p99 %.2f ms", name,
          phase, count, failed.sum(), perSec,
          interval.getTotalCount() == 0 ? 0.0 : interval.getValueAtPercentile(99) / 1000.0);
      line = line.length() > 100 ? line.substring(0, 100) : line;
      progressOut.print(showProgress ? "\r" + line + "   " : line + "\n");
      progressOut.flush();
      lastPrinted = now;
    }

    void finish() {
      if (progressOut != null && showProgress && lastPrinted != 0) {
        progressOut.print("\n");
        progressOut.flush();
      }
    }
  }
}
