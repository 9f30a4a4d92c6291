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
import raft.kv.api.etcdserverpb.CompactionRequest;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.mvcc.MvccStore;
import raft.kv.mvcc.Sizes;

class AutoCompactorTest {

  @Test
  void compactsToRetentionBehindInStepsOfATenth() {
    AutoCompactor c = new AutoCompactor(AutoCompaction.revisions(1000), Long.MAX_VALUE);
    assertEquals(0, c.due(0, 1000, 0), "nothing beyond the retention yet");
    assertEquals(0, c.due(0, 1099, 0), "less than a step (100) to compact");
    assertEquals(100, c.due(0, 1100, 0));
    assertEquals(0, c.due(0, 1150, 0), "proposed already; the next step is 100 further");
    assertEquals(200, c.due(0, 1200, 0), "a lost proposal is covered by the next one");
    assertEquals(0, c.due(0, 1250, 200));
    assertEquals(0, new AutoCompactor(AutoCompaction.revisions(0), Long.MAX_VALUE)
        .due(0, 1_000_000, 0), "0 keeps everything");
  }

  @Test
  void periodicModeCompactsToTheRevisionOfAPeriodAgo() {
    // A 100 s period: a note of the revision every 10 s; compact to the newest note 100 s old.
    AutoCompactor c = new AutoCompactor(
        AutoCompaction.periodic(java.time.Duration.ofSeconds(100)), Long.MAX_VALUE);
    long rev = 1;
    for (long t = 0; t < 100_000; t += 1000) {
      assertEquals(0, c.due(t, rev, 0), "nothing is a whole period old at " + t + " ms");
      rev += 10; // ten writes a second
    }
    assertEquals(1, c.due(100_000, rev, 0), "the note taken at 0 s, revision 1");
    assertEquals(0, c.due(101_000, rev + 10, 0), "the next note is from 10 s");
    assertEquals(101, c.due(110_000, rev + 100, 0), "the note taken at 10 s");
    assertEquals(0, new AutoCompactor(
        AutoCompaction.periodic(java.time.Duration.ZERO), Long.MAX_VALUE).due(1_000_000, 100, 0), "a zero period keeps everything");
  }

  @Test
  void sizeKeepsOverwritesOfAFewKeysUnderHalfTheQuotaWhateverTheRetention() {
    // The seen case, scaled down: a few live keys overwritten with 2 KiB values, 100,000
    // revisions of retention that would take some 200 MiB, and a 1 MiB quota.
    long quota = 1 << 20;
    AutoCompactor c = new AutoCompactor(AutoCompaction.revisions(100_000), quota);
    MvccStore store = new MvccStore();
    long put = Sizes.put(put(0, 2048));
    int compactions = 0;
    for (int i = 0; i < 5_000; i++) { // 10 MiB written, ten times the quota
      store.put(put(i % 20, 2048));
      long live = store.liveBytes();
      long history = store.sizeBytes() - live;
      assertTrue(history <= (quota - live) / 2 + put,
          "history " + history + " passed half the room the live data leaves, at put " + i);
      long target = c.due(0, store, false);
      if (target > 0) {
        compactions++;
        store.compact(CompactionRequest.newBuilder().setRevision(target).build());
        long kept = store.sizeBytes() - store.liveBytes();
        assertTrue(kept <= (quota - live) / 4 + put && kept >= (quota - live) / 4 - 2 * put,
            "kept " + kept + " of history, for a quarter of the room " + (quota - live) / 4);
        assertTrue(c.reason().startsWith("history "), c.reason());
      }
    }
    assertTrue(compactions >= 10 && compactions < 100, compactions + " compactions");
  }

  @Test
  void sizeLeavesLiveDataAloneAndIsOffWithoutAQuotaOrWithRetentionZero() {
    long quota = 1 << 20;
    AutoCompactor c = new AutoCompactor(AutoCompaction.revisions(100_000), quota);
    AutoCompactor noQuota = new AutoCompactor(AutoCompaction.revisions(100_000), Long.MAX_VALUE);
    AutoCompactor keepAll = new AutoCompactor(AutoCompaction.revisions(0), quota);
    MvccStore store = new MvccStore();
    for (int i = 0; i < 600; i++) { // distinct keys: the store fills with live data only
      store.put(put(i, 2048));
      assertEquals(0, c.due(0, store, false), "no history to compact at put " + i);
    }
    assertTrue(store.sizeBytes() > quota);
    for (int i = 0; i < 600; i++) { // now overwrites, all history
      store.put(put(i, 2048));
      assertEquals(0, noQuota.due(0, store, false));
      assertEquals(0, keepAll.due(0, store, false));
    }
    assertEquals(0, c.due(0, store, true), "under the NOSPACE alarm the operator compacts");
    long target = c.due(0, store, false);
    assertEquals(store.currentRevision(), target,
        "live data fills the quota: no room for history, so all of it goes");
    store.compact(CompactionRequest.newBuilder().setRevision(target).build());
    assertTrue(store.sizeBytes() - store.liveBytes() <= Sizes.put(put(0, 2048)),
        "only the value before the last put is left, for its prev_kv");
  }

  private static PutRequest put(int key, int valueBytes) {
    return PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("key-" + key))
        .setValue(ByteString.copyFrom(new byte[valueBytes])).build();
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
