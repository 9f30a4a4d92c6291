package raft.kv.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.kv.mvcc.Kv.b;
import static raft.kv.mvcc.Kv.del;
import static raft.kv.mvcc.Kv.op;
import static raft.kv.mvcc.Kv.put;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import raft.kv.api.etcdserverpb.AlarmMember;
import raft.kv.api.etcdserverpb.AlarmRequest;
import raft.kv.api.etcdserverpb.AlarmResponse;
import raft.kv.api.etcdserverpb.AlarmType;
import raft.kv.api.etcdserverpb.CompactionRequest;
import raft.kv.api.etcdserverpb.CompactionResponse;
import raft.kv.api.etcdserverpb.LeaseGrantRequest;
import raft.kv.api.etcdserverpb.LeaseKeepAliveRequest;
import raft.kv.api.etcdserverpb.LeaseRevokeRequest;
import raft.kv.api.etcdserverpb.PutResponse;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.TxnRequest;
import raft.kv.api.etcdserverpb.TxnResponse;
import raft.kv.lease.LeaseListener;
import raft.kv.mvcc.KvException;
import raft.kv.pb.InternalRequest;
import raft.kv.pb.KvState;
import raft.kv.watch.WatchSink;

class KvStateMachineTest {
  record Applied(long id, long index, ApplyResult result) {
    /** The response proto, or the KvException of a refusal. */
    Object payload() {
      if (result instanceof ApplyResult.Applied<?> a) {
        return a.response();
      }
      return ((ApplyResult.Refused) result).error();
    }
  }

  private final List<Applied> applied = new ArrayList<>();
  private final KvStateMachine sm = new KvStateMachine(2,
      (id, index, result) -> applied.add(new Applied(id, index, result)), LeaseListener.NONE);

  /** A fixed pseudo-random workload of entries (seeded, so both instances get the same). */
  static List<ByteString> workload(long seed, int n) {
    Random rnd = new Random(seed);
    List<ByteString> entries = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String k = String.valueOf((char) ('a' + rnd.nextInt(5)));
      InternalRequest.Builder r = InternalRequest.newBuilder().setId(i + 1);
      switch (rnd.nextInt(7)) {
        case 0 -> r.setDeleteRange(del(k, "\0"));
        case 1 -> r.setTxn(TxnRequest.newBuilder().addSuccess(op(put(k, "t" + i)))
            .addSuccess(op(del("e"))).build());
        case 2 -> r.setLeaseGrant(LeaseGrantRequest.newBuilder().setTTL(10));
        case 3 -> r.setLeaseRevoke(LeaseRevokeRequest.newBuilder().setID(1 + rnd.nextInt(i + 1)));
        case 4 -> r.setPut(put(k, "l" + i).toBuilder().setLease(1 + rnd.nextInt(i + 1)));
        default -> r.setPut(put(k, "v" + i));
      }
      entries.add(i % 10 == 9 ? ByteString.EMPTY : r.build().toByteString());
    }
    return entries;
  }

  private static void applyAll(KvStateMachine m, List<ByteString> entries) {
    for (int i = 0; i < entries.size(); i++) {
      m.apply(i + 1, 1, entries.get(i));
    }
  }

  @Test
  void putAnswersItsProposerWithTheNewRevision() {
    sm.apply(1, 1, InternalRequest.newBuilder().setId(77).setPut(put("a", "1")).build().toByteString());
    assertEquals(1, applied.size());
    assertEquals(77, applied.get(0).id());
    PutResponse r = assertInstanceOf(PutResponse.class, applied.get(0).payload());
    assertEquals(2, r.getHeader().getRevision());
    assertEquals(1, sm.appliedIndex());
  }

  @Test
  void noOpEntryOnlyAdvancesAppliedIndex() {
    sm.apply(5, 2, ByteString.EMPTY);
    assertEquals(5, sm.appliedIndex());
    assertTrue(applied.isEmpty());
  }

  @Test
  void garbageEntryIsAnErrorResultAndChangesNothing() {
    applyAll(sm, workload(1, 20));
    ByteString before = sm.snapshot();
    applied.clear();
    sm.apply(21, 1, ByteString.copyFrom(new byte[] {(byte) 0xff, 0x01, 0x02}));
    assertEquals(1, applied.size());
    assertEquals(KvException.Code.MALFORMED_ENTRY,
        assertInstanceOf(KvException.class, applied.get(0).payload()).code());
    assertEquals(21, sm.appliedIndex());
    // Only the applied index in the snapshot moves.
    KvStateMachine other = new KvStateMachine();
    other.restore(20, before);
    other.apply(21, 1, ByteString.EMPTY);
    assertEquals(other.snapshot(), sm.snapshot());
  }

  @Test
  void refusedRequestIsAnErrorResult() {
    sm.apply(1, 1, InternalRequest.newBuilder().setId(3)
        .setCompaction(CompactionRequest.newBuilder().setRevision(50)).build().toByteString());
    KvException e = assertInstanceOf(KvException.class, applied.get(0).payload());
    assertEquals(KvException.Code.FUTURE_REVISION, e.code());
  }

  @Test
  void eachKindOfRequestIsAnsweredWithItsOwnKindOfResult() {
    long lease = 5;
    assertKind(ApplyResult.Put.class, InternalRequest.newBuilder().setPut(put("a", "1")));
    assertKind(ApplyResult.DeleteRange.class,
        InternalRequest.newBuilder().setDeleteRange(del("b")));
    assertKind(ApplyResult.Txn.class, InternalRequest.newBuilder()
        .setTxn(TxnRequest.newBuilder().addSuccess(op(put("c", "1")))));
    assertKind(ApplyResult.Compaction.class, InternalRequest.newBuilder()
        .setCompaction(CompactionRequest.newBuilder().setRevision(2)));
    assertKind(ApplyResult.LeaseGrant.class, InternalRequest.newBuilder()
        .setLeaseGrant(LeaseGrantRequest.newBuilder().setID(lease).setTTL(10)));
    assertKind(ApplyResult.LeaseKeepAlive.class, InternalRequest.newBuilder()
        .setLeaseKeepAlive(LeaseKeepAliveRequest.newBuilder().setID(lease)));
    assertKind(ApplyResult.LeaseRevoke.class, InternalRequest.newBuilder()
        .setLeaseRevoke(LeaseRevokeRequest.newBuilder().setID(lease)));
    assertKind(ApplyResult.Alarm.class, alarm(AlarmRequest.AlarmAction.GET, 0));
    assertKind(ApplyResult.Refused.class, InternalRequest.newBuilder()); // no request in it
  }

  private void assertKind(Class<? extends ApplyResult> kind, InternalRequest.Builder r) {
    applyOne(r);
    assertInstanceOf(kind, applied.get(applied.size() - 1).result());
  }

  private Object applyOne(InternalRequest.Builder r) {
    long index = sm.appliedIndex() + 1;
    sm.apply(index, 1, r.setId(index).build().toByteString());
    return applied.get(applied.size() - 1).payload();
  }

  private static InternalRequest.Builder alarm(AlarmRequest.AlarmAction action, long member) {
    return InternalRequest.newBuilder().setAlarm(AlarmRequest.newBuilder().setAction(action)
        .setMemberID(member).setAlarm(AlarmType.NOSPACE));
  }

  private static void assertNoSpace(Object result) {
    KvException e = assertInstanceOf(KvException.class, result);
    assertEquals(KvException.Code.NO_SPACE, e.code());
  }

  @Test
  void theNoSpaceAlarmRefusesWritesThatAddDataAndLetsTheRestThroughUntilDisarmed() {
    applyOne(InternalRequest.newBuilder().setPut(put("a", "1")));
    AlarmResponse raised = assertInstanceOf(AlarmResponse.class,
        applyOne(alarm(AlarmRequest.AlarmAction.ACTIVATE, 2)));
    assertEquals(List.of(AlarmMember.newBuilder().setMemberID(2).setAlarm(AlarmType.NOSPACE)
        .build()), raised.getAlarmsList());
    assertEquals(0, assertInstanceOf(AlarmResponse.class,
        applyOne(alarm(AlarmRequest.AlarmAction.ACTIVATE, 2))).getAlarmsCount(), "once only");
    long revision = sm.store().currentRevision();

    assertNoSpace(applyOne(InternalRequest.newBuilder().setPut(put("b", "1"))));
    assertNoSpace(applyOne(InternalRequest.newBuilder()
        .setTxn(TxnRequest.newBuilder().addFailure(op(put("b", "1"))))));
    assertNoSpace(applyOne(InternalRequest.newBuilder()
        .setLeaseGrant(LeaseGrantRequest.newBuilder().setTTL(10))));
    assertEquals(revision, sm.store().currentRevision(), "nothing refused was written");

    // What frees space, or only reads, still goes: deletes, delete-only txns, compaction.
    assertInstanceOf(TxnResponse.class, applyOne(InternalRequest.newBuilder()
        .setTxn(TxnRequest.newBuilder().addSuccess(op(del("a"))))));
    assertInstanceOf(CompactionResponse.class, applyOne(InternalRequest.newBuilder()
        .setCompaction(CompactionRequest.newBuilder().setRevision(sm.store().currentRevision()))));
    assertEquals(1, assertInstanceOf(AlarmResponse.class,
        applyOne(alarm(AlarmRequest.AlarmAction.GET, 0))).getAlarmsCount());

    assertEquals(1, assertInstanceOf(AlarmResponse.class,
        applyOne(alarm(AlarmRequest.AlarmAction.DEACTIVATE, 2))).getAlarmsCount());
    assertInstanceOf(PutResponse.class,
        applyOne(InternalRequest.newBuilder().setPut(put("b", "1"))));
  }

  @Test
  void raisedAlarmsAreInTheSnapshotAndARestoredMemberStillRefuses() throws Exception {
    applyAll(sm, workload(3, 50));
    applyOne(alarm(AlarmRequest.AlarmAction.ACTIVATE, 3));
    applyOne(alarm(AlarmRequest.AlarmAction.ACTIVATE, 1));
    ByteString snap = sm.snapshot();
    KvState parsed = KvState.parseFrom(snap);
    assertEquals(parsed.toByteString(), snap, "alarms written as field 6, in order");
    assertEquals(List.of(1L, 3L), parsed.getAlarmsList().stream()
        .map(AlarmMember::getMemberID).toList());
    KvStateMachine fresh = new KvStateMachine(2,
        (id, index, result) -> applied.add(new Applied(id, index, result)), LeaseListener.NONE);
    fresh.restore(sm.appliedIndex(), snap);
    fresh.apply(sm.appliedIndex() + 1, 1,
        InternalRequest.newBuilder().setId(1).setPut(put("z", "1")).build().toByteString());
    assertNoSpace(applied.get(applied.size() - 1).payload());
  }

  @Test
  void aDeletedAndCompactedValueIsNotKeptAliveByTheKeysViewIntoItsEntry() {
    // The store's keys and values are views into the applied entry (aliasing). The tombstone
    // and the index must not hold the put's key view, or the whole entry, value included,
    // would stay reachable after the value was deleted and compacted.
    byte[] entry = InternalRequest.newBuilder().setId(1)
        .setPut(put("k", "v".repeat(100_000))).build().toByteArray();
    java.lang.ref.WeakReference<byte[]> ref = new java.lang.ref.WeakReference<>(entry);
    sm.apply(1, 1, com.google.protobuf.UnsafeByteOperations.unsafeWrap(entry));
    entry = null;
    applyOne(InternalRequest.newBuilder().setDeleteRange(del("k")));
    applyOne(InternalRequest.newBuilder().setCompaction(
        CompactionRequest.newBuilder().setRevision(sm.store().currentRevision())));
    applied.clear(); // the put's response holds nothing of the entry, but be sure
    for (int i = 0; i < 10 && ref.get() != null; i++) {
      System.gc(); // a full collection clears weak references to what is unreachable
    }
    assertTrue(ref.get() == null, "the deleted value's entry is still reachable");
    assertEquals(0, sm.store().range(RangeRequest.newBuilder().setKey(b("k")).build())
        .getCount());
  }

  @Test
  void twoInstancesApplyingTheSameEntriesHaveIdenticalSnapshots() {
    List<ByteString> entries = workload(42, 200);
    KvStateMachine other = new KvStateMachine();
    applyAll(sm, entries);
    applyAll(other, entries);
    assertEquals(sm.snapshot(), other.snapshot());
    assertTrue(sm.store().currentRevision() > 50, "the workload should write a lot");
  }

  @Test
  void streamedSnapshotIsExactlyTheKvStateMessage() throws Exception {
    // snapshot() writes KvState's fields by hand; a field out of order or a default written
    // would change the bytes (and, with a wrong field number, what a restore reads).
    applyAll(sm, workload(11, 300));
    sm.store().compact(CompactionRequest.newBuilder().setRevision(5).build());
    ByteString snap = sm.snapshot();
    KvState parsed = KvState.parseFrom(snap);
    assertEquals(parsed.toByteString(), snap);
    assertEquals(sm.appliedIndex(), parsed.getAppliedIndex());
    assertEquals(sm.store().currentRevision(), parsed.getRevision());
    assertEquals(5, parsed.getCompactRevision());
    assertEquals(sm.lessor().leaseIds().size(), parsed.getLeasesCount());
    assertTrue(parsed.getLeasesCount() > 0 && parsed.getKeysCount() == 5, "leases and keys a..e");
    ByteString fresh = new KvStateMachine().snapshot(); // zeros are left out, as protobuf does
    assertEquals(KvState.newBuilder().setRevision(1).build().toByteString(), fresh);
  }

  @Test
  void restoredInstanceAnswersEveryLiveRevisionTheSame() {
    applyAll(sm, workload(7, 150));
    sm.store().compact(CompactionRequest.newBuilder().setRevision(sm.store().currentRevision() / 2).build());
    KvStateMachine fresh = new KvStateMachine();
    fresh.restore(sm.appliedIndex(), sm.snapshot());
    assertEquals(sm.appliedIndex(), fresh.appliedIndex());
    assertEquals(sm.store().compactRevision(), fresh.store().compactRevision());
    for (long rev = sm.store().compactRevision(); rev <= sm.store().currentRevision(); rev++) {
      RangeRequest all = RangeRequest.newBuilder().setKey(b("\0")).setRangeEnd(b("\0"))
          .setRevision(rev).build();
      assertEquals(sm.store().range(all), fresh.store().range(all), "at " + rev);
    }
    assertEquals(sm.lessor().leaseIds(), fresh.lessor().leaseIds());
    for (long id : sm.lessor().leaseIds()) {
      assertEquals(sm.lessor().lookup(id), fresh.lessor().lookup(id));
    }
    assertEquals(sm.snapshot(), fresh.snapshot());
  }

  @Test
  void restoreEndsExistingWatchersWithCompacted() {
    applyAll(sm, workload(3, 30));
    long[] compactedAt = {-1};
    sm.watchHub().watch(b("a"), ByteString.EMPTY, 0, false, false, false, new WatchSink() {
      @Override
      public boolean events(long revision, List<raft.kv.api.mvccpb.Event> events) {
        return true;
      }

      @Override
      public void compacted(long compactRevision) {
        compactedAt[0] = compactRevision;
      }
    });
    sm.restore(30, new KvStateMachine().snapshot());
    assertEquals(0, compactedAt[0]);
    assertEquals(0, sm.watchHub().watcherCount());
    assertEquals(1, sm.store().currentRevision());
  }
}
