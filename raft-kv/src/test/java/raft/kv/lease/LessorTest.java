package raft.kv.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.kv.mvcc.Kv.b;
import static raft.kv.mvcc.Kv.get;
import static raft.kv.mvcc.Kv.put;

import java.util.List;
import org.junit.jupiter.api.Test;
import raft.kv.api.etcdserverpb.LeaseGrantRequest;
import raft.kv.api.etcdserverpb.LeaseKeepAliveRequest;
import raft.kv.mvcc.KvException;
import raft.kv.mvcc.MvccStore;
import raft.kv.watch.WatchHub;
import raft.kv.watch.WatchSink;

class LessorTest {
  private final Lessor lessor = new Lessor(2);
  private final MvccStore store = new MvccStore(lessor);

  private long grant(long ttl) {
    return lessor.grant(LeaseGrantRequest.newBuilder().setTTL(ttl).build(), 7).getID();
  }

  @Test
  void revokeDeletesAttachedKeysAtOneRevision() {
    long id = grant(10);
    store.put(put("a", "1").toBuilder().setLease(id).build()); // 2
    store.put(put("b", "1").toBuilder().setLease(id).build()); // 3
    store.put(put("c", "1")); // 4
    List<Long> eventRevisions = new java.util.ArrayList<>();
    new WatchHub(store).watch(b("\0"), b("\0"), 0, false, false, false, new WatchSink() {
      @Override
      public boolean events(long revision, List<raft.kv.api.mvccpb.Event> events) {
        eventRevisions.add(revision);
        assertEquals(2, events.size());
        return true;
      }

      @Override
      public void compacted(long compactRevision) {}
    });
    assertEquals(5, lessor.revoke(id, store));
    assertEquals(List.of(5L), eventRevisions);
    assertEquals(0, store.range(get("a")).getCount());
    assertEquals(0, store.range(get("b")).getCount());
    assertEquals(1, store.range(get("c")).getCount());
    assertTrue(lessor.lookup(id).isEmpty());
  }

  @Test
  void revokeWithoutKeysDoesNotBumpRevision() {
    long id = grant(10);
    assertEquals(1, lessor.revoke(id, store));
  }

  @Test
  void putWithUnknownLeaseIsRefused() {
    KvException e = assertThrows(KvException.class,
        () -> store.put(put("a", "1").toBuilder().setLease(42).build()));
    assertEquals(KvException.Code.LEASE_NOT_FOUND, e.code());
  }

  @Test
  void rePutWithoutLeaseDetaches() {
    long id = grant(10);
    store.put(put("a", "1").toBuilder().setLease(id).build());
    assertEquals(List.of(b("a")), lessor.lookup(id).orElseThrow().keys());
    store.put(put("a", "2"));
    assertEquals(List.of(), lessor.lookup(id).orElseThrow().keys());
    lessor.revoke(id, store);
    assertEquals(1, store.range(get("a")).getCount());
  }

  @Test
  void ignoreLeaseKeepsTheAttachment() {
    long id = grant(10);
    store.put(put("a", "1").toBuilder().setLease(id).build());
    store.put(put("a", "2").toBuilder().setIgnoreLease(true).build());
    assertEquals(id, store.range(get("a")).getKvs(0).getLease());
    assertEquals(List.of(b("a")), lessor.lookup(id).orElseThrow().keys());
  }

  @Test
  void grantUsesMinimumTtlAndDeterministicIds() {
    var r = lessor.grant(LeaseGrantRequest.newBuilder().setTTL(0).build(), 7);
    assertEquals(7, r.getID());
    assertEquals(2, r.getTTL());
    assertEquals(8, lessor.grant(LeaseGrantRequest.getDefaultInstance(), 7).getID());
    KvException dup = assertThrows(KvException.class,
        () -> lessor.grant(LeaseGrantRequest.newBuilder().setID(7).setTTL(5).build(), 9));
    assertEquals(KvException.Code.LEASE_EXISTS, dup.code());
    assertEquals(List.of(7L, 8L), lessor.leaseIds());
  }

  @Test
  void keepAliveReturnsGrantedTtlOrNotFound() {
    long id = grant(30);
    assertEquals(30, lessor.keepAlive(LeaseKeepAliveRequest.newBuilder().setID(id).build()).getTTL());
    assertThrows(KvException.class,
        () -> lessor.keepAlive(LeaseKeepAliveRequest.newBuilder().setID(999).build()));
  }
}
