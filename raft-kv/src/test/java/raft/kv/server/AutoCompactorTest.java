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
    AutoCompactor c = new AutoCompactor(AutoCompaction.revisions(1000));
    assertEquals(0, c.due(0, 1000, 0), "nothing beyond the retention yet");
    assertEquals(0, c.due(0, 1099, 0), "less than a step (100) to compact");
    assertEquals(100, c.due(0, 1100, 0));
    assertEquals(0, c.due(0, 1150, 0), "proposed already; the next step is 100 further");
    assertEquals(200, c.due(0, 1200, 0), "a lost proposal is covered by the next one");
    assertEquals(0, c.due(0, 1250, 200));
    assertEquals(0, new AutoCompactor(AutoCompaction.revisions(0)).due(0, 1_000_000, 0),
        "0 keeps everything");
  }

  @Test
  void periodicModeCompactsToTheRevisionOfAPeriodAgo() {
    // A 100 s period: a note of the revision every 10 s; compact to the newest note 100 s old.
    AutoCompactor c = new AutoCompactor(AutoCompaction.periodic(java.time.Duration.ofSeconds(100)));
    long rev = 1;
    for (long t = 0; t < 100_000; t += 1000) {
      assertEquals(0, c.due(t, rev, 0), "nothing is a whole period old at " + t + " ms");
      rev += 10; // ten writes a second
    }
    assertEquals(1, c.due(100_000, rev, 0), "the note taken at 0 s, revision 1");
    assertEquals(0, c.due(101_000, rev + 10, 0), "the next note is from 10 s");
    assertEquals(101, c.due(110_000, rev + 100, 0), "the note taken at 10 s");
    assertEquals(0, new AutoCompactor(AutoCompaction.periodic(java.time.Duration.ZERO))
        .due(1_000_000, 100, 0), "a zero period keeps everything");
  }

  @Test
  void retentionIsParsedAsEtcdDoes() {
    assertEquals(AutoCompaction.revisions(100_000), AutoCompaction.parse("revision", null,
        100_000));
    assertEquals(AutoCompaction.revisions(5), AutoCompaction.parse("revision", "5", 1));
    assertEquals(AutoCompaction.periodic(java.time.Duration.ofMinutes(30)),
        AutoCompaction.parse("periodic", "30m", 1));
    assertEquals(AutoCompaction.periodic(java.time.Duration.ofHours(2)),
        AutoCompaction.parse("periodic", "2", 1), "a bare number is hours, as in etcd");
    assertEquals("the last 30m", AutoCompaction.parse("periodic", "30m", 1).retained());
    for (String[] bad : new String[][] {{"periodic", null}, {"periodic", "soon"},
        {"revision", "1h"}, {"revision", "-1"}, {"hourly", "1"}}) {
      assertThrows(IllegalArgumentException.class,
          () -> AutoCompaction.parse(bad[0], bad[1], 1), String.join(" ", java.util.Arrays.asList(bad)));
    }
  }

  @Test
  void leaderCompactsOldHistoryThroughTheLog(@TempDir Path dir) throws Exception {
    CountDownLatch proposed = new CountDownLatch(1);
    Consumer<String> log = line -> {
      if (line.contains("auto-compaction: proposed compacting history")) {
        proposed.countDown();
      }
    };
    try (InProcessCluster cluster = new InProcessCluster(3, 3, dir, AutoCompaction.revisions(20), 0, log)) {
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
