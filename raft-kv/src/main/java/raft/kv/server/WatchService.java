package raft.kv.server;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import raft.kv.api.etcdserverpb.WatchCreateRequest;
import raft.kv.api.etcdserverpb.WatchCreateRequest.FilterType;
import raft.kv.api.etcdserverpb.WatchGrpc;
import raft.kv.api.etcdserverpb.WatchRequest;
import raft.kv.api.etcdserverpb.WatchResponse;
import raft.kv.api.mvccpb.Event;
import raft.kv.watch.WatchHub;
import raft.kv.watch.WatchHub.Watcher;
import raft.kv.watch.WatchSink;

/**
 * etcd's Watch service: one bidirectional stream carries many watchers.
 *
 * <p>Every member applies every entry, so a watcher on any member sees every event exactly
 * once and in revision order, also across leader changes: events come from this member's own
 * apply, not from the leader. The {@code created} response is sent before any event.
 *
 * <p>Flow control, both ways, so that a client that stops reading costs the member a fixed
 * amount of memory: events are sent only while the stream is ready (gRPC's
 * {@code isReady}: its send buffer is under 32 KiB); otherwise the sink refuses them and the
 * hub moves the watcher to its slow set, to be caught up from history when the stream's
 * {@code onReady} fires. A stream so buffers at most 32 KiB plus one response: one revision's
 * events live, or one catch-up batch (etcd's up to 1,000 revisions, bounded here to about
 * 1 MiB, see {@link WatchHub}). Requests are read one at a time, and the next one only when the stream
 * is ready, so a client cannot make the member buffer replies (created, cancelled, progress)
 * that it does not read either: like etcd, which stops reading a stream whose control queue is
 * full.
 */
final class WatchService extends WatchGrpc.WatchImplBase {
  /** etcd's watch id for responses that belong to no watcher (progress notifications). */
  private static final long NO_WATCHER = -1;
  private static final long SLOW_LOG_SECONDS = 10;

  private final WatchHub hub;
  private final WatchAuth auth;
  private final Headers headers;
  private final ScheduledExecutorService timers;
  private final Duration progressEvery;

  /**
   * @param progressEvery how often watchers created with progress_notify hear the current
   *     revision (etcd's is 10 minutes; --experimental-watch-progress-notify-interval)
   */
  WatchService(WatchHub hub, Headers headers, ScheduledExecutorService timers,
      Duration progressEvery, Consumer<String> log, WatchAuth auth) {
    this.auth = auth;
    this.hub = hub;
    this.headers = headers;
    this.timers = timers;
    this.progressEvery = progressEvery;
    hub.setCatchUpExecutor(catchUpThread());
    SlowWatchLog slowLog = new SlowWatchLog(hub, log);
    timers.scheduleWithFixedDelay(slowLog::report, SLOW_LOG_SECONDS, SLOW_LOG_SECONDS,
        TimeUnit.SECONDS);
  }

  // One thread reads history for every catch-up: never the apply thread, and never a network
  // thread (the server runs its handlers on the Netty event loops).
  private static ExecutorService catchUpThread() {
    return Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "watch-catch-up");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> responses) {
    ServerCallStreamObserver<WatchResponse> out =
        (ServerCallStreamObserver<WatchResponse>) responses;
    Stream s = new Stream(out);
    out.disableAutoRequest();
    out.setOnReadyHandler(s::onReady);
    s.progressTicker = timers.scheduleWithFixedDelay(s::notifyProgress, s.progressMillis,
        s.progressMillis, TimeUnit.MILLISECONDS);
    out.request(1);
    return s;
  }

  /**
   * etcd's GetProgressReportInterval: the interval plus up to a tenth of it at random, so that
   * streams opened together (a client restarting) do not all hear at the same moment.
   */
  private long progressMillis() {
    long ms = Math.max(1, progressEvery.toMillis());
    return ms + java.util.concurrent.ThreadLocalRandom.current().nextLong(ms / 10 + 1);
  }

  private final class Stream implements StreamObserver<WatchRequest> {
    private final ServerCallStreamObserver<WatchResponse> out;
    private final Map<Long, Watcher> watchers = new ConcurrentHashMap<>();
    private final ProgressTicks progress = new ProgressTicks();
    private final long progressMillis = progressMillis();
    private volatile ScheduledFuture<?> progressTicker;
    private final AtomicLong nextWatchId = new AtomicLong();
    // A request was handled while the stream was not ready: read the next one on onReady.
    private final AtomicBoolean requestOwed = new AtomicBoolean();
    private boolean closed; // guarded by this

    Stream(ServerCallStreamObserver<WatchResponse> out) {
      this.out = out;
    }

    @Override
    public void onNext(WatchRequest r) {
      switch (r.getRequestUnionCase()) {
        case CREATE_REQUEST -> {
          if (createWhenCallerKnown(r.getCreateRequest())) {
            return; // the next request is read once this one is answered
          }
        }
        case CANCEL_REQUEST -> cancel(r.getCancelRequest().getWatchId(), "");
        case PROGRESS_REQUEST -> hub.progress(watchers.values(),
            rev -> send(WatchResponse.newBuilder().setWatchId(NO_WATCHER), rev));
        default -> { }
      }
      requestOwed.set(true);
      requestNextIfReady();
    }

    private void requestNextIfReady() {
      if (out.isReady() && requestOwed.getAndSet(false)) {
        out.request(1);
      }
    }

    // gRPC calls this when the stream's send buffer drains below its threshold.
    void onReady() {
      requestNextIfReady();
      watchers.values().forEach(Watcher::resume);
    }

    /**
     * Creates the watch now if its caller is known (true: later, once the caller's token is
     * resolved, the next request being read only then, so requests stay in order).
     */
    private boolean createWhenCallerKnown(WatchCreateRequest c) {
      java.util.concurrent.CompletableFuture<Caller> who = Caller.current();
      if (who.isDone()) {
        who.whenComplete((caller, t) -> create(c, caller, t));
        return false;
      }
      who.whenComplete((caller, t) -> {
        create(c, caller, t);
        requestOwed.set(true);
        requestNextIfReady();
      });
      return true;
    }

    private void create(WatchCreateRequest c, Caller caller, Throwable unresolved) {
      java.util.Optional<String> refused = c.getKey().isEmpty() ? java.util.Optional.empty()
          : auth.refusal(caller, unresolved, c);
      if (refused.isPresent()) { // etcd: created and canceled, under no watch id (-1)
        send(WatchResponse.newBuilder().setWatchId(NO_WATCHER).setCreated(true)
            .setCanceled(true).setCancelReason(refused.get()));
        return;
      }
      long id = c.getWatchId() != 0 ? c.getWatchId() : nextWatchId.getAndIncrement();
      if (c.getKey().isEmpty() || watchers.containsKey(id)) {
        String why = c.getKey().isEmpty() ? "etcdserver: key is not provided"
            : "etcdserver: mvcc: duplicate watch ID provided on the WatchStream";
        send(WatchResponse.newBuilder().setWatchId(id).setCreated(true).setCanceled(true)
            .setCancelReason(why));
        return;
      }
      nextWatchId.accumulateAndGet(id + 1, Math::max);
      // A watch "from now" starts right after the revision its created header names, so the
      // client knows exactly where its events begin.
      long now = hub.currentRevision();
      long start = c.getStartRevision() > 0 ? c.getStartRevision() : now + 1;
      send(WatchResponse.newBuilder().setWatchId(id).setCreated(true), now);
      boolean noPut = c.getFiltersList().contains(FilterType.NOPUT);
      boolean noDelete = c.getFiltersList().contains(FilterType.NODELETE);
      if (c.getProgressNotify()) {
        progress.add(id); // before the watch starts: a compaction cancel then removes it
      }
      Watcher w = hub.watch(c.getKey(), c.getRangeEnd(), start, c.getPrevKv(), noPut, noDelete,
          new Sink(id));
      watchers.put(id, w);
      if (w.isCanceled()) { // its start was compacted away; the client has been told
        watchers.remove(id);
        progress.remove(id);
      }
    }

    /**
     * etcd 3.4's progress ticker: each progress_notify watcher that had no events since the
     * last tick and is synced gets an empty response at the current revision, promising that
     * every later event has a higher one (a client that reconnects can resume from there). A
     * watcher still catching up gets none, as in etcd; nor does a stream that is not reading
     * (nothing is buffered for it).
     */
    void notifyProgress() {
      for (long id : progress.tick()) {
        Watcher w = watchers.get(id);
        if (w != null) {
          hub.progressIfSynced(w, rev -> trySend(() -> WatchResponse.newBuilder()
              .setWatchId(id).setHeader(headers.at(rev)).build()));
        }
      }
    }

    private void cancel(long id, String reason) {
      Watcher w = watchers.remove(id);
      progress.remove(id);
      if (w != null) {
        w.cancel();
        send(WatchResponse.newBuilder().setWatchId(id).setCanceled(true)
            .setCancelReason(reason));
      }
    }

    private void send(WatchResponse.Builder b) {
      send(b, hub.currentRevision());
    }

    /**
     * Sends a reply to a request, ready or not: there is at most one per request read, and
     * requests are read only while the stream is ready. The header is made before taking the
     * stream's monitor: event delivery holds the hub's monitor and then takes this one.
     */
    private void send(WatchResponse.Builder b, long headerRevision) {
      WatchResponse r = b.setHeader(headers.at(headerRevision)).build();
      synchronized (this) {
        if (!closed) {
          out.onNext(r); // StreamObserver is not thread-safe: the monitor serializes senders
        }
      }
    }

    /**
     * Sends events only if the stream is ready; false otherwise (the hub then moves the
     * watcher to its slow set, and onReady resumes it). Nothing is built for a refused send.
     */
    private synchronized boolean trySend(Supplier<WatchResponse> r) {
      if (closed) {
        return true; // the stream is gone and its watchers are being cancelled
      }
      if (!out.isReady()) {
        return false;
      }
      out.onNext(r.get());
      return true;
    }

    @Override
    public void onError(Throwable t) {
      close();
    }

    @Override
    public void onCompleted() {
      close();
      synchronized (this) {
        out.onCompleted();
      }
    }

    private void close() {
      synchronized (this) {
        closed = true;
      }
      ScheduledFuture<?> ticker = progressTicker;
      if (ticker != null) {
        ticker.cancel(false);
      }
      watchers.values().forEach(Watcher::cancel);
      watchers.clear();
    }

    private final class Sink implements WatchSink {
      private final long id;

      Sink(long id) {
        this.id = id;
      }

      @Override
      public boolean events(long headerRevision, List<Event> events) {
        boolean sent = trySend(() -> WatchResponse.newBuilder().setWatchId(id)
            .addAllEvents(events).setHeader(headers.at(headerRevision)).build());
        if (sent) {
          progress.sent(id); // no progress notification at the next tick
        }
        return sent;
      }

      @Override
      public void compacted(long compactRevision) {
        watchers.remove(id);
        progress.remove(id);
        send(WatchResponse.newBuilder().setWatchId(id).setCanceled(true)
            .setCompactRevision(compactRevision)
            .setCancelReason("etcdserver: mvcc: required revision has been compacted"));
      }
    }
  }
}
