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
import raft.kv.api.etcdserverpb.CompactionRequest;
import raft.kv.api.etcdserverpb.LeaseGrantRequest;
import raft.kv.api.etcdserverpb.LeaseRevokeRequest;
import raft.kv.api.etcdserverpb.PutResponse;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.TxnRequest;
import raft.kv.lease.LeaseListener;
import raft.kv.mvcc.KvException;
import raft.kv.pb.InternalRequest;
import raft.kv.pb.KvState;
import raft.kv.watch.WatchSink;

class KvStateMachineTest {
  record Applied(long id, long index, Object result) {}

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
    PutResponse r = assertInstanceOf(PutResponse.class, applied.get(0).result());
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
    assertInstanceOf(KvException.class, applied.get(0).result());
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
    KvException e = assertInstanceOf(KvException.class, applied.get(0).result());
    assertEquals("etcdserver: mvcc: required revision is a future revision", e.getMessage());
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
      public void events(long revision, List<raft.kv.api.mvccpb.Event> events) {}

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
