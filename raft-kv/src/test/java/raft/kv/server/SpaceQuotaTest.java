package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.api.etcdserverpb.AlarmMember;
import raft.kv.api.etcdserverpb.AlarmRequest;
import raft.kv.api.etcdserverpb.AlarmType;
import raft.kv.api.etcdserverpb.CompactionRequest;
import raft.kv.api.etcdserverpb.DefragmentRequest;
import raft.kv.api.etcdserverpb.DeleteRangeRequest;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.MaintenanceGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.StatusRequest;
import raft.kv.apply.Alarms;
import raft.kv.main.CliRun;
import raft.kv.mvcc.MvccStore;
import raft.kv.mvcc.Sizes;
import raft.kv.pb.InternalRequest;

/**
 * The space quota on three real members, following etcd's recovery steps: fill the store until
 * a put is refused with NOSPACE, see the alarm on every member, then delete, compact,
 * defragment and disarm, and write again.
 */
class SpaceQuotaTest {
  private static final long QUOTA = 64 * 1024;
  private static final AlarmMember NOSPACE_AT_1 =
      AlarmMember.newBuilder().setMemberID(1).setAlarm(AlarmType.NOSPACE).build();

  @TempDir Path dir;

  @Test
  void aFullStoreRefusesPutsUntilCompactedAndDisarmedAndLosesNoAcknowledgedWrite()
      throws Exception {
    try (InProcessCluster cluster = new InProcessCluster(3, 3, dir,
        ServerConfig.DEFAULT_AUTO_COMPACTION, QUOTA, line -> { })) {
      cluster.awaitLeader();
      String[] endpoints = cluster.endpoints().split(",");
      ManagedChannel[] channels = new ManagedChannel[3];
      for (int i = 0; i < 3; i++) {
        channels[i] = ManagedChannelBuilder.forTarget(endpoints[i]).usePlaintext().build();
      }
      try {
        run(channels, cluster.endpoints());
      } finally {
        for (ManagedChannel c : channels) {
          c.shutdownNow();
        }
      }
    }
  }

  private static KVGrpc.KVBlockingStub kv(ManagedChannel c) {
    return KVGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static MaintenanceGrpc.MaintenanceBlockingStub maintenance(ManagedChannel c) {
    return MaintenanceGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static PutRequest put(String key, int valueBytes) {
    return PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
        .setValue(ByteString.copyFromUtf8("v".repeat(valueBytes))).build();
  }

  private static void assertNoSpace(StatusRuntimeException e) {
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    assertEquals("etcdserver: mvcc: database space exceeded", e.getStatus().getDescription());
  }

  private static List<AlarmMember> alarms(ManagedChannel c) {
    return maintenance(c).alarm(AlarmRequest.getDefaultInstance()).getAlarmsList();
  }

  private static void run(ManagedChannel[] members, String endpoints) {
    // 1. Fill through member 1 until it refuses; every acknowledged put counts.
    int acknowledged = 0;
    StatusRuntimeException refused = null;
    for (int i = 0; i < 200 && refused == null; i++) {
      try {
        kv(members[0]).put(put("key-" + i, 1024));
        acknowledged++;
      } catch (StatusRuntimeException e) {
        refused = e;
      }
    }
    assertTrue(refused != null, "200 puts of 1 KiB never filled a 64 KiB quota");
    assertNoSpace(refused);
    assertTrue(acknowledged > 20, "refused too early, after " + acknowledged);

    // 2. The alarm goes through the log, so every member comes to list it (each GET is itself
    // an entry, so this loop waits on the log, not on a clock).
    for (int i = 0; i < 50 && alarms(members[2]).isEmpty(); i++) {
      assertTrue(i < 49, "member 3 never saw the NOSPACE alarm");
    }
    for (ManagedChannel m : members) { // answered once m has applied the alarm too
      assertEquals(List.of(NOSPACE_AT_1), alarms(m));
    }
    for (ManagedChannel m : members) {
      assertNoSpace(assertThrows(StatusRuntimeException.class, () -> kv(m).put(put("x", 1))));
    }
    CliRun put = CliRun.run("--endpoints", endpoints, "put", "x", "y");
    assertEquals(1, put.exit());
    assertEquals("Error: etcdserver: mvcc: database space exceeded", put.errLine());
    assertEquals("memberID:1 alarm:NOSPACE \n",
        CliRun.run("--endpoints", endpoints, "alarm", "list").out());
    var status = maintenance(members[1]).status(StatusRequest.getDefaultInstance());
    assertTrue(status.getErrorsList().contains("memberID:1 alarm:NOSPACE "),
        status.getErrorsList().toString());
    assertTrue(status.getDbSizeInUse() > QUOTA / 2, "in use: " + status.getDbSizeInUse());

    // 3. Nothing acknowledged was lost, and reads still work.
    RangeRequest all = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("key-"))
        .setRangeEnd(ByteString.copyFromUtf8("key.")).setCountOnly(true).build();
    assertEquals(acknowledged, kv(members[2]).range(all).getCount());

    // 4. etcd's recovery: delete, compact, defragment, disarm. Writes stay refused until the
    // alarm is disarmed, however much space was freed.
    long revision = kv(members[0]).deleteRange(DeleteRangeRequest.newBuilder()
        .setKey(all.getKey()).setRangeEnd(all.getRangeEnd()).build()).getHeader().getRevision();
    kv(members[1]).compact(CompactionRequest.newBuilder().setRevision(revision).build());
    maintenance(members[1]).defragment(DefragmentRequest.getDefaultInstance());
    assertNoSpace(assertThrows(StatusRuntimeException.class,
        () -> kv(members[1]).put(put("x", 1))));
    CliRun disarm = CliRun.run("--endpoints", endpoints, "alarm", "disarm");
    assertEquals("memberID:1 alarm:NOSPACE \n", disarm.out(), disarm.err());
    assertEquals(List.of(), alarms(members[0]));
    assertEquals("", CliRun.run("--endpoints", endpoints, "alarm", "disarm").out());
    kv(members[0]).put(put("after", 1024));
    assertEquals(1, kv(members[1]).range(RangeRequest.newBuilder()
        .setKey(ByteString.copyFromUtf8("after")).build()).getCount());
  }

  @Test
  void historyTheSizeCompactionWouldFreeDoesNotCountUpToACeiling() {
    InternalRequest put = InternalRequest.newBuilder().setPut(put("k", 1024)).build();
    MvccStore store = new MvccStore();
    SpaceQuota bySize = new SpaceQuota(QUOTA, store, new Alarms(), true);
    SpaceQuota keepAll = new SpaceQuota(QUOTA, store, new Alarms(), false);
    while (store.sizeBytes() + Sizes.of(put) <= QUOTA) { // one key overwritten: history
      store.put(put.getPut());
    }
    assertTrue(bySize.admits(put), "history the leader is about to compact does not count");
    assertFalse(keepAll.admits(put), "without auto-compaction, history counts in full");
    while (bySize.admits(put)) {
      store.put(put.getPut());
    }
    assertTrue(store.sizeBytes() + Sizes.of(put) > QUOTA + QUOTA / 4, "the ceiling");
    assertFalse(bySize.raisesAlarm(put), "the compaction makes room: no alarm");
    assertTrue(keepAll.raisesAlarm(put));

    MvccStore live = new MvccStore();
    SpaceQuota full = new SpaceQuota(QUOTA, live, new Alarms(), true);
    for (int i = 0; live.sizeBytes() + Sizes.of(put) <= QUOTA; i++) { // distinct keys: live
      live.put(put("k" + i, 1024));
    }
    assertFalse(full.admits(put), "live data that fills the quota is refused");
    assertTrue(full.raisesAlarm(put), "and raises the alarm");
  }
}
