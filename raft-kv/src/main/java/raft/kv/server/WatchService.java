package raft.kv.server;

import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 */
final class WatchService extends WatchGrpc.WatchImplBase {
  /** etcd's watch id for responses that belong to no watcher (progress notifications). */
  private static final long NO_WATCHER = -1;

  private final WatchHub hub;
  private final Headers headers;
  private final Set<Stream> streams = ConcurrentHashMap.newKeySet();

  /**
   * @param progressEvery how often watchers created with progress_notify hear the current
   *     revision (etcd's default is 10 minutes; a shorter one lets a student see them)
   */
  WatchService(WatchHub hub, Headers headers, ScheduledExecutorService timers,
      Duration progressEvery) {
    this.hub = hub;
    this.headers = headers;
    timers.scheduleWithFixedDelay(() -> streams.forEach(Stream::notifyProgress),
        progressEvery.toMillis(), progressEvery.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> out) {
    Stream s = new Stream(out);
    streams.add(s);
    return s;
  }

  private final class Stream implements StreamObserver<WatchRequest> {
    private final StreamObserver<WatchResponse> out;
    private final Map<Long, Watcher> watchers = new ConcurrentHashMap<>();
    private final Set<Long> wantProgress = ConcurrentHashMap.newKeySet();
    private final AtomicLong nextWatchId = new AtomicLong();
    private boolean closed;

    Stream(StreamObserver<WatchResponse> out) {
      this.out = out;
    }

    @Override
    public void onNext(WatchRequest r) {
      switch (r.getRequestUnionCase()) {
        case CREATE_REQUEST -> create(r.getCreateRequest());
        case CANCEL_REQUEST -> cancel(r.getCancelRequest().getWatchId(), "");
        case PROGRESS_REQUEST -> send(WatchResponse.newBuilder().setWatchId(NO_WATCHER));
        default -> { }
      }
    }

    private void create(WatchCreateRequest c) {
      long id = c.getWatchId() != 0 ? c.getWatchId() : nextWatchId.getAndIncrement();
      if (c.getKey().isEmpty() || watchers.containsKey(id)) {
        String why = c.getKey().isEmpty() ? "etcdserver: key is not provided"
            : "etcdserver: mvcc: duplicate watch ID provided on the WatchStream";
        send(WatchResponse.newBuilder().setWatchId(id).setCreated(true).setCanceled(true)
            .setCancelReason(why));
        return;
      }
      nextWatchId.accumulateAndGet(id + 1, Math::max);
      send(WatchResponse.newBuilder().setWatchId(id).setCreated(true));
      boolean noPut = c.getFiltersList().contains(FilterType.NOPUT);
      boolean noDelete = c.getFiltersList().contains(FilterType.NODELETE);
      Watcher w = hub.watch(c.getKey(), c.getRangeEnd(), c.getStartRevision(), c.getPrevKv(),
          noPut, noDelete, new Sink(id));
      watchers.put(id, w);
      if (c.getProgressNotify()) {
        wantProgress.add(id);
      }
    }

    // An empty response at the current revision promises that every later event has a higher
    // revision, so a client that reconnects can resume from here.
    void notifyProgress() {
      for (long id : wantProgress) {
        if (watchers.containsKey(id)) {
          send(WatchResponse.newBuilder().setWatchId(id));
        }
      }
    }

    private void cancel(long id, String reason) {
      Watcher w = watchers.remove(id);
      wantProgress.remove(id);
      if (w != null) {
        w.cancel();
        send(WatchResponse.newBuilder().setWatchId(id).setCanceled(true)
            .setCancelReason(reason));
      }
    }

    // StreamObserver is not thread-safe; the apply thread and gRPC threads both send.
    private synchronized void send(WatchResponse.Builder b) {
      if (closed) {
        return;
      }
      b.setHeader(headers.at(b.getHeader().getRevision() != 0
          ? b.getHeader().getRevision() : hub.currentRevision()));
      out.onNext(b.build());
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
      streams.remove(this);
      watchers.values().forEach(Watcher::cancel);
      watchers.clear();
    }

    private final class Sink implements WatchSink {
      private final long id;

      Sink(long id) {
        this.id = id;
      }

      @Override
      public void events(long revision, List<Event> events) {
        send(WatchResponse.newBuilder().setWatchId(id).addAllEvents(events)
            .setHeader(headers.at(revision)));
      }

      @Override
      public void compacted(long compactRevision) {
        watchers.remove(id);
        send(WatchResponse.newBuilder().setWatchId(id).setCanceled(true)
            .setCompactRevision(compactRevision)
            .setCancelReason("etcdserver: mvcc: required revision has been compacted"));
      }
    }
  }
}
