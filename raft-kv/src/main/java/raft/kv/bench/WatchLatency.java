package raft.kv.bench;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.SettableFuture;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.WatchCreateRequest;
import raft.kv.api.etcdserverpb.WatchGrpc;
import raft.kv.api.etcdserverpb.WatchRequest;
import raft.kv.api.etcdserverpb.WatchResponse;
import raft.kv.api.mvccpb.Event;
import raft.kv.client.Clients;

/**
 * watch-latency: puts on every connection, one watcher (on the first connection) over all
 * bench keys; a request is done when the watcher sees its event, so the latency is put plus
 * commit plus watch delivery. The value's first 8 bytes carry the request number, which is how
 * an event finds its request.
 */
final class WatchLatency implements Operations.Operation {
  private final BenchConfig config;
  private final List<KVGrpc.KVFutureStub> stubs;
  private final long deadlineMs;
  private final byte[] padding;
  private final Map<Long, SettableFuture<Object>> pending = new ConcurrentHashMap<>();
  private final StreamObserver<WatchRequest> watchStream;

  WatchLatency(BenchConfig config, List<ManagedChannel> channels, long deadlineMs)
      throws InterruptedException {
    this.config = config;
    this.stubs = channels.stream().map(KVGrpc::newFutureStub).toList();
    this.deadlineMs = deadlineMs;
    this.padding = Operations.value(config.valSize() - Long.BYTES).toByteArray();
    SettableFuture<Object> created = SettableFuture.create();
    watchStream = WatchGrpc.newStub(channels.get(0)).watch(new Watcher(created));
    watchStream.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
        .setKey(ByteString.copyFromUtf8("k")).setRangeEnd(ByteString.copyFromUtf8("l"))).build());
    try {
      created.get(deadlineMs, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new Clients.Failure("could not create the watch: " + Clients.errorMessage(
          e.getCause() == null ? e : e.getCause()));
    }
  }

  @Override
  public ListenableFuture<?> issue(long seq, int conn) {
    SettableFuture<Object> seen = SettableFuture.create();
    pending.put(seq, seen);
    ByteString value = ByteString.copyFrom(ByteBuffer.allocate(Long.BYTES).putLong(seq).array())
        .concat(ByteString.copyFrom(padding));
    String key = config.key(ThreadLocalRandom.current().nextLong(config.keySpace()));
    ListenableFuture<?> put = stubs.get(conn).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
        .put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(value).build());
    put.addListener(() -> {
      try {
        Futures.getDone(put);
      } catch (java.util.concurrent.ExecutionException e) {
        pending.remove(seq);
        seen.setException(e.getCause());
      }
    }, MoreExecutors.directExecutor());
    return seen;
  }

  @Override
  public void close() {
    watchStream.onCompleted();
    pending.values().forEach(f -> f.setException(new Clients.Failure("watch event not seen")));
  }

  private final class Watcher implements StreamObserver<WatchResponse> {
    private final SettableFuture<Object> created;

    Watcher(SettableFuture<Object> created) {
      this.created = created;
    }

    @Override
    public void onNext(WatchResponse r) {
      if (r.getCreated()) {
        created.set(r);
      }
      for (Event e : r.getEventsList()) {
        ByteString v = e.getKv().getValue();
        if (e.getType() == Event.EventType.PUT && v.size() >= Long.BYTES) {
          SettableFuture<Object> f = pending.remove(v.substring(0, Long.BYTES)
              .asReadOnlyByteBuffer().getLong());
          if (f != null) {
            f.set(e);
          }
        }
      }
    }

    @Override
    public void onError(Throwable t) {
      created.setException(t);
      pending.values().forEach(f -> f.setException(t));
    }

    @Override
    public void onCompleted() {
      // the server closed the stream: whatever is pending will never be seen
      onError(new Clients.Failure("watch stream closed by the server"));
    }
  }
}
