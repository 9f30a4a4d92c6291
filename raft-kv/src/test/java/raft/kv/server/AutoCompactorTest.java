package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RangeRequest;

class AutoCompactorTest {

  @Test
  void compactsToRetentionBehindInStepsOfATenth() {
    AutoCompactor c = new AutoCompactor(1000);
    assertEquals(0, c.due(1000, 0), "nothing beyond the retention yet");
    assertEquals(0, c.due(1099, 0), "less than a step (100) to compact");
    assertEquals(100, c.due(1100, 0));
    assertEquals(0, c.due(1150, 0), "proposed already; the next step is 100 further");
    assertEquals(200, c.due(1200, 0), "a lost proposal is covered by the next one");
    assertEquals(0, c.due(1250, 200));
    assertEquals(0, new AutoCompactor(0).due(1_000_000, 0), "0 keeps everything");
  }

  @Test
  void leaderCompactsOldHistoryThroughTheLog(@TempDir Path dir) throws Exception {
    CountDownLatch proposed = new CountDownLatch(1);
    Consumer<String> log = line -> {
      if (line.contains("auto-compaction: proposed compacting history")) {
        proposed.countDown();
      }
    };
    try (InProcessCluster cluster = new InProcessCluster(3, 3, dir, 20, 0, log)) {
      cluster.awaitLeader();
      ManagedChannel ch = ManagedChannelBuilder.forTarget(cluster.endpoints().split(",")[1])
          .usePlaintext().build();
      try {
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(ch);
        for (int i = 0; i < 50; i++) {
          put(kv, "v" + i);
        }
        // The leader's timer runs once a second. A put sent after its proposal is applied
        // after it, on every member, so the next read sees the compaction.
        assertTrue(proposed.await(10, TimeUnit.SECONDS), "the leader proposed no compaction");
        long latest = put(kv, "v50");
        RangeRequest old = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k"))
            .setRevision(2).build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
            () -> kv.withDeadlineAfter(10, TimeUnit.SECONDS).range(old));
        assertEquals("etcdserver: mvcc: required revision has been compacted",
            e.getStatus().getDescription());
        RangeRequest recent = old.toBuilder().setRevision(latest - 20).build();
        assertEquals("v30", kv.withDeadlineAfter(10, TimeUnit.SECONDS).range(recent)
            .getKvs(0).getValue().toStringUtf8(), "the last 20 revisions are kept");
        assertTrue(latest > 40);
      } finally {
        ch.shutdownNow();
      }
    }
  }

  private static long put(KVGrpc.KVBlockingStub kv, String value) {
    return kv.withDeadlineAfter(10, TimeUnit.SECONDS).put(PutRequest.newBuilder()
        .setKey(ByteString.copyFromUtf8("k")).setValue(ByteString.copyFromUtf8(value)).build())
        .getHeader().getRevision();
  }
}
