package raft.jepsen.client;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import raft.kv.api.etcdserverpb.WatchCreateRequest;
import raft.kv.api.etcdserverpb.WatchGrpc;
import raft.kv.api.etcdserverpb.WatchRequest;
import raft.kv.api.etcdserverpb.WatchResponse;
import raft.kv.api.mvccpb.Event;

/**
 * A watcher on a key prefix that records the revision of every event it is sent, in order. Like
 * clientv3, when its stream breaks (member killed, watch canceled) it reconnects, to the next
 * member, from the last revision it saw + 1, so a correct server shows it every revision exactly
 * once. Runs on its own thread until {@link #stop}; {@link #revisions} is thread-safe.
 */
public final class Watcher implements Runnable {
  private final Dialer dialer;
  private final List<String> endpoints;
  private final ByteString key;
  private final ByteString rangeEnd;
  private final List<Long> revisions = new ArrayList<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private int member;
  private long next;
  private int reconnects;

  /** @param firstMember index into endpoints to start on; @param fromRevision first revision */
  public Watcher(Dialer dialer, List<String> endpoints, int firstMember, String prefix,
      long fromRevision) {
    this.dialer = dialer;
    this.endpoints = endpoints;
    this.member = firstMember;
    this.key = ByteString.copyFromUtf8(prefix);
    this.rangeEnd = prefixEnd(prefix);
    this.next = fromRevision;
  }

  /** The end of a prefix range: the prefix with its last byte incremented (etcd's rule). */
  public static ByteString prefixEnd(String prefix) {
    byte[] b = prefix.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    b[b.length - 1]++;
    return ByteString.copyFrom(b);
  }

  public synchronized List<Long> revisions() {
    return List.copyOf(revisions);
  }

  public synchronized long lastRevision() {
    return revisions.isEmpty() ? 0 : revisions.get(revisions.size() - 1);
  }

  public synchronized int reconnects() {
    return reconnects;
  }

  public void stop() {
    stopped.countDown();
  }

  @Override
  public void run() {
    try {
      while (stopped.getCount() > 0) {
        watchOnce(endpoints.get(member % endpoints.size()));
        if (stopped.await(200, TimeUnit.MILLISECONDS)) {
          return;
        }
        member++;
        synchronized (this) {
          reconnects++;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One stream on one member, until it breaks or we are stopped. */
  private void watchOnce(String endpoint) throws InterruptedException {
    ManagedChannel ch = dialer.dial(endpoint);
    CountDownLatch broken = new CountDownLatch(1);
    try {
      StreamObserver<WatchRequest> requests = WatchGrpc.newStub(ch).watch(observer(broken));
      long from;
      synchronized (this) {
        from = next;
      }
      requests.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
          .setKey(key).setRangeEnd(rangeEnd).setStartRevision(from)).build());
      while (!broken.await(100, TimeUnit.MILLISECONDS)) {
        if (stopped.getCount() == 0) {
          requests.onCompleted();
          return;
        }
      }
    } finally {
      ch.shutdownNow();
    }
  }

  private StreamObserver<WatchResponse> observer(CountDownLatch broken) {
    return new StreamObserver<>() {
      @Override
      public void onNext(WatchResponse r) {
        synchronized (Watcher.this) {
          for (Event e : r.getEventsList()) {
            revisions.add(e.getKv().getModRevision());
            next = e.getKv().getModRevision() + 1;
          }
        }
        if (r.getCanceled()) {
          broken.countDown();
        }
      }

      @Override
      public void onError(Throwable t) {
        broken.countDown();
      }

      @Override
      public void onCompleted() {
        broken.countDown();
      }
    };
  }
}
