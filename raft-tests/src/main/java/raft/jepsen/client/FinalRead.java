package raft.jepsen.client;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.RangeResponse;

/**
 * Linearizable reads of a whole prefix after healing (and the run's starting revision before
 * it), retried over the members until one answers: by then a leader should exist, and a read
 * that fails changes nothing. Blocking, bounded by {@code timeoutMillis}.
 */
public final class FinalRead {
  private FinalRead() {}

  /** The result and when it was asked for and answered. */
  public record Timed(RangeResponse response, long invokeNanos, long completeNanos) {}

  public static Timed prefix(Dialer dialer, List<String> endpoints, String prefix,
      long timeoutMillis) throws InterruptedException {
    RangeRequest req = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(prefix))
        .setRangeEnd(Watcher.prefixEnd(prefix)).build();
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    RuntimeException last = null;
    for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
      ManagedChannel ch = dialer.dial(endpoints.get(attempt % endpoints.size()));
      try {
        long invoke = System.nanoTime();
        RangeResponse r = KVGrpc.newBlockingStub(ch).withDeadlineAfter(3, TimeUnit.SECONDS)
            .range(req);
        return new Timed(r, invoke, System.nanoTime());
      } catch (RuntimeException notYet) {
        last = notYet;
        Thread.sleep(250);
      } finally {
        ch.shutdownNow();
      }
    }
    throw new IllegalStateException("no member answered a linearizable read of " + prefix
        + " within " + timeoutMillis + " ms", last);
  }
}
