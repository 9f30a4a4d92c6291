package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
    try (InProcessCluster cluster = new InProcessCluster(3, 3, dir, 20)) {
      cluster.awaitLeader();
      ManagedChannel ch = ManagedChannelBuilder.forTarget(cluster.endpoints().split(",")[1])
          .usePlaintext().build();
      try {
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(ch);
        long rev = 0;
        for (int i = 0; i < 50; i++) {
          rev = kv.withDeadlineAfter(10, TimeUnit.SECONDS).put(PutRequest.newBuilder()
              .setKey(ByteString.copyFromUtf8("k")).setValue(ByteString.copyFromUtf8("v" + i))
              .build()).getHeader().getRevision();
        }
        long latest = rev;
        RangeRequest old = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k"))
            .setRevision(2).build();
        String error = "";
        for (int t = 0; t < 100 && error.isEmpty(); t++) { // the timer runs once a second
          try {
            kv.withDeadlineAfter(10, TimeUnit.SECONDS).range(old);
            Thread.sleep(100);
          } catch (StatusRuntimeException e) {
            error = e.getStatus().getDescription();
          }
        }
        assertEquals("etcdserver: mvcc: required revision has been compacted", error);
        RangeRequest recent = old.toBuilder().setRevision(latest - 19).build();
        assertEquals("v30", kv.withDeadlineAfter(10, TimeUnit.SECONDS).range(recent)
            .getKvs(0).getValue().toStringUtf8(), "the last 20 revisions are kept");
        assertTrue(latest > 40);
      } finally {
        ch.shutdownNow();
      }
    }
  }
}
