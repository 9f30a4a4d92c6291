package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.api.etcdserverpb.WatchGrpc;
import raft.kv.api.etcdserverpb.WatchRequest;
import raft.kv.api.etcdserverpb.WatchResponse;

/**
 * Each watch stream has a progress ticker on the server's timer thread; a stream that ends
 * must take it off the timer's queue at once. Before, a cancelled ticker stayed queued until
 * its next run (10 minutes by default), holding its stream: a client opening and closing
 * streams made the member hold every one of them for 10 minutes.
 */
class WatchStreamTimersTest {
  private static final int STREAMS = 200;

  @TempDir Path dir;

  @Test
  void anEndedStreamLeavesNoTimerQueued() throws Exception {
    try (InProcessCluster c = new InProcessCluster(1, 1, dir)) {
      c.awaitLeader();
      KvServer server = c.servers().get(0);
      int before = server.timersQueued();
      ManagedChannel ch = ManagedChannelBuilder.forTarget(c.endpoints()).usePlaintext().build();
      try {
        CountDownLatch ended = new CountDownLatch(STREAMS);
        for (int i = 0; i < STREAMS; i++) {
          // The server ends its side (and its ticker) before the client hears the end.
          WatchGrpc.newStub(ch).watch(new StreamObserver<WatchResponse>() {
            @Override
            public void onNext(WatchResponse r) {}

            @Override
            public void onError(Throwable t) {
              ended.countDown();
            }

            @Override
            public void onCompleted() {
              ended.countDown();
            }
          }).onCompleted();
        }
        assertTrue(ended.await(60, TimeUnit.SECONDS), "the streams did not end");
      } finally {
        ch.shutdownNow();
      }
      int after = server.timersQueued();
      // The periodic tasks come and go by one while one runs; 200 tickers would show.
      assertTrue(after < before + 10, before + " timers queued before, " + after + " after");
    }
  }
}
