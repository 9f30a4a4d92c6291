package raft.kv.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.kv.mvcc.Kv.b;
import static raft.kv.mvcc.Kv.del;
import static raft.kv.mvcc.Kv.get;
import static raft.kv.mvcc.Kv.getAt;
import static raft.kv.mvcc.Kv.op;
import static raft.kv.mvcc.Kv.put;
import static raft.kv.mvcc.Kv.valueEq;
import static raft.kv.mvcc.Kv.versionEq;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import raft.kv.api.etcdserverpb.CompactionRequest;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.RangeResponse;
import raft.kv.api.etcdserverpb.RequestOp;
import raft.kv.api.etcdserverpb.TxnRequest;
import raft.kv.api.etcdserverpb.TxnResponse;
import raft.kv.api.mvccpb.KeyValue;
import raft.kv.pb.InternalRequest;

class MvccStoreTest {
  private final MvccStore store = new MvccStore();

  private static List<String> keys(RangeResponse r) {
    return r.getKvsList().stream().map(kv -> kv.getKey().toStringUtf8()).collect(Collectors.toList());
  }

  private KeyValue only(String k) {
    RangeResponse r = store.range(get(k));
    assertEquals(1, r.getKvsCount());
    return r.getKvs(0);
  }

  @Test
  void emptyStoreIsAtRevisionOneAndEachPutBumpsIt() {
    assertEquals(1, store.currentRevision());
    assertEquals(2, store.put(put("a", "1")).getHeader().getRevision());
    assertEquals(3, store.put(put("a", "2")).getHeader().getRevision());
    KeyValue kv = only("a");
    assertEquals(2, kv.getCreateRevision());
    assertEquals(3, kv.getModRevision());
    assertEquals(2, kv.getVersion());
  }

  @Test
  void sizeEstimateCountsEveryRevisionAndEachKeyOnceAndShrinksOnCompaction() {
    long key = 3 + Sizes.KEY_OVERHEAD; // "key"
    long revision = 3 + 100 + Sizes.REVISION_OVERHEAD; // "key" and 100 value bytes
    String value = "v".repeat(100);
    assertEquals(0, store.sizeBytes());
    store.put(put("key", value));
    assertEquals(key + revision, store.sizeBytes());
    assertTrue(Sizes.put(put("key", value)) >= store.sizeBytes(), "a put's cost is an upper bound");
    store.put(put("key", value));
    assertEquals(key + 2 * revision, store.sizeBytes());
    store.deleteRange(del("key")); // a tombstone: the key and no value
    long tombstone = 3 + Sizes.REVISION_OVERHEAD;
    assertEquals(key + 2 * revision + tombstone, store.sizeBytes());
    // Compacting to the delete frees both puts (only the tombstone stays, for watch replay);
    // compacting past the delete drops the key altogether.
    store.compact(CompactionRequest.newBuilder().setRevision(4).build());
    assertEquals(key + tombstone, store.sizeBytes());
    store.put(put("other", "x"));
    store.compact(CompactionRequest.newBuilder().setRevision(5).build());
    assertEquals(5 + Sizes.KEY_OVERHEAD + 6 + Sizes.REVISION_OVERHEAD, store.sizeBytes());
  }

  @Test
  void liveBytesAreEachKeysCurrentValueAndTheRestIsHistory() {
    long key = 3 + Sizes.KEY_OVERHEAD;
    long revision = 3 + 100 + Sizes.REVISION_OVERHEAD;
    String value = "v".repeat(100);
    store.put(put("key", value));
    store.put(put("key", value));
    assertEquals(key + revision, store.liveBytes(), "the older put is history");
    store.deleteRange(del("key"));
    assertEquals(0, store.liveBytes(), "a deleted key is all history");
    store.put(put("key", value));
    assertEquals(key + revision, store.liveBytes());
    store.compact(CompactionRequest.newBuilder().setRevision(store.currentRevision()).build());
    assertEquals(store.liveBytes(), store.sizeBytes(), "compaction frees all but live data");
  }

  @Test
  void compactionRevisionKeepingLeavesAboutThatMuchHistory() {
    String value = "v".repeat(1000);
    long revision = 1 + 1000 + Sizes.REVISION_OVERHEAD;
    for (int i = 0; i < 200; i++) {
      store.put(put("k" + i % 5, value));
    }
    long keep = 50 * revision;
    long target = store.compactionRevisionKeeping(keep);
    assertTrue(target > 1 && target < store.currentRevision(), "target " + target);
    store.compact(CompactionRequest.newBuilder().setRevision(target).build());
    long history = store.sizeBytes() - store.liveBytes();
    assertTrue(history <= keep && history > keep - 2 * revision, "history left " + history);
    assertEquals(store.currentRevision(), store.compactionRevisionKeeping(0),
        "keeping nothing is compacting at the current revision");
  }

  @Test
  void aDeleteOfAHugeRangeAllocatesLittleMoreThanItsTombstones() {
    // The way out of a full store is a delete of everything: it must not need several times
    // the memory the store holds. Counted in bytes allocated by this thread (exact, unlike
    // the heap's use), per deleted key, with a watcher-less listener as on a quiet member.
    int keys = 50_000;
    for (int i = 0; i < keys; i++) {
      store.put(put(String.format("key-%08d", i), "v"));
    }
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    store.deleteRange(raft.kv.api.etcdserverpb.DeleteRangeRequest.newBuilder()
        .setKey(b("\0")).setRangeEnd(b("\0")).build());
    long perKey = (threads.getCurrentThreadAllocatedBytes() - before) / keys;
    assertEquals(0, store.range(RangeRequest.newBuilder().setKey(b("\0")).setRangeEnd(b("\0"))
        .setCountOnly(true).build()).getCount());
    // A tombstone is some 100 bytes kept (its Change and KeyValue) and 70 more for the
    // KeyValue's builder: about 200 in all. The old path also made a list of the doomed, a
    // second tombstone, a pending-index entry and an event per key: 538 bytes.
    assertTrue(perKey < 270, perKey + " bytes allocated per deleted key");
  }

  @Test
  void compactionKeepsPrevKvForReplayExceptForADeleteAtTheCompactRevision() {
    store.put(put("a", "1")); // 2
    store.put(put("b", "1")); // 3
    store.put(put("a", "2")); // 4
    store.deleteRange(del("b")); // 5
    store.compact(CompactionRequest.newBuilder().setRevision(4).build());
    var atFour = store.history(b("a"), b("c"), 4, 5);
    assertEquals("1", atFour.get(0).events().get(0).getPrevKv().getValue().toStringUtf8(),
        "the put at the compact revision keeps its prev_kv");
    assertEquals("1", atFour.get(1).events().get(0).getPrevKv().getValue().toStringUtf8(),
        "b's put before the compact revision is what a read at 4 sees, so it stays");
    store.compact(CompactionRequest.newBuilder().setRevision(5).build());
    var atFive = store.history(b("a"), b("c"), 5, 5).get(0).events().get(0);
    assertEquals("b", atFive.getKv().getKey().toStringUtf8());
    assertFalse(atFive.hasPrevKv(), "deleted at the compact revision: the value is freed");
    assertEquals(0, store.range(getAt("b", 5)).getCount());
  }

  @Test
  void hashAgreesForTheSameHistoryAtARevisionAndTellsADifferentOneApart() {
    MvccStore other = new MvccStore();
    for (MvccStore s : List.of(store, other)) {
      s.put(put("a", "1"));
      s.put(put("b", "1"));
      s.deleteRange(del("a"));
    }
    assertEquals(store.hash(0), other.hash(0));
    MvccStore.Hash atThree = store.hash(3);
    store.put(put("c", "1"));
    assertEquals(atThree, store.hash(3), "later writes do not change the hash at 3");
    assertTrue(store.hash(0).crc() != other.hash(0).crc());
    other.put(put("c", "2")); // same keys and revisions, another value
    assertEquals(5, other.hash(0).revision());
    assertTrue(store.hash(0).crc() != other.hash(0).crc(), "a value differs");
    store.compact(CompactionRequest.newBuilder().setRevision(4).build());
    assertEquals(4, store.hash(0).compactRevision());
    assertEquals(KvException.Code.COMPACTED,
        assertThrows(KvException.class, () -> store.hash(3)).code());
  }

  @Test
  void aTxnCostsItsLargerBranchOfPutsAndNothingWithoutPuts() {
    PutRequest small = put("a", "1");
    PutRequest large = put("b", "x".repeat(50));
    TxnRequest both = TxnRequest.newBuilder().addSuccess(op(small)).addSuccess(op(small))
        .addFailure(op(large)).build();
    assertEquals(Math.max(2 * Sizes.put(small), Sizes.put(large)), Sizes.txn(both));
    TxnRequest nested = TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder()
        .setRequestTxn(TxnRequest.newBuilder().addSuccess(op(large)))).build();
    assertEquals(Sizes.put(large), Sizes.txn(nested));
    TxnRequest deletesOnly = TxnRequest.newBuilder().addSuccess(op(del("a")))
        .addFailure(op(get("a"))).build();
    assertEquals(0, Sizes.txn(deletesOnly));
    assertEquals(Sizes.put(small), Sizes.of(InternalRequest.newBuilder().setPut(small).build()));
    assertEquals(0, Sizes.of(InternalRequest.newBuilder().setTxn(deletesOnly).build()));
    assertEquals(0, Sizes.of(InternalRequest.newBuilder().setDeleteRange(del("a")).build()));
    assertTrue(Sizes.of(InternalRequest.newBuilder().setLeaseGrant(
        raft.kv.api.etcdserverpb.LeaseGrantRequest.newBuilder().setTTL(5)).build()) > 0,
        "a lease grant adds a lease");
  }

  @Test
  void deleteResetsVersionAndRecreationStartsOver() {
    store.put(put("a", "1"));
    store.put(put("a", "2"));
    assertEquals(1, store.deleteRange(del("a")).getDeleted());
    assertEquals(0, store.range(get("a")).getCount());
    store.put(put("a", "3"));
    KeyValue kv = only("a");
    assertEquals(1, kv.getVersion());
    assertEquals(5, kv.getCreateRevision());
  }

  @Test
  void deleteOfNothingDoesNotBumpRevision() {
    store.put(put("a", "1"));
    assertEquals(2, store.deleteRange(del("zz")).getHeader().getRevision());
    assertEquals(2, store.currentRevision());
  }

  @Test
  void txnWritesShareOneRevisionAndReadsSeeEarlierWrites() {
    store.put(put("a", "0"));
    TxnResponse r = store.txn(TxnRequest.newBuilder()
        .addCompare(versionEq("a", 1))
        .addSuccess(op(put("a", "1"))).addSuccess(op(put("b", "1")))
        .addSuccess(op(get("a", "c")))
        .build());
    assertTrue(r.getSucceeded());
    assertEquals(3, r.getHeader().getRevision());
    RangeResponse inside = r.getResponses(2).getResponseRange();
    assertEquals(List.of("a", "b"), keys(inside));
    assertEquals("1", inside.getKvs(0).getValue().toStringUtf8());
    assertEquals(3, only("a").getModRevision());
    assertEquals(3, only("b").getModRevision());
  }

  @Test
  void readOnlyTxnDoesNotBumpRevision() {
    store.put(put("a", "0"));
    TxnResponse r = store.txn(TxnRequest.newBuilder()
        .addCompare(valueEq("a", "nope")).addFailure(op(get("a"))).build());
    assertFalse(r.getSucceeded());
    assertEquals(2, r.getHeader().getRevision());
    assertEquals(2, store.currentRevision());
  }

  @Test
  void compareOnMissingKeyValueFailsButVersionZeroHolds() {
    assertFalse(store.txn(TxnRequest.newBuilder().addCompare(valueEq("x", "")).build()).getSucceeded());
    assertTrue(store.txn(TxnRequest.newBuilder().addCompare(versionEq("x", 0)).build()).getSucceeded());
  }

  @Test
  void txnPuttingSameKeyTwiceIsRefusedAsDuplicateKey() {
    TxnRequest twice = TxnRequest.newBuilder()
        .addSuccess(op(put("a", "1"))).addSuccess(op(put("a", "2"))).build();
    KvException e = assertThrows(KvException.class, () -> store.txn(twice));
    assertEquals(KvException.Code.DUPLICATE_KEY, e.code());
    TxnRequest putAndDelete = TxnRequest.newBuilder()
        .addSuccess(op(put("b", "1"))).addSuccess(op(del("a", "c"))).build();
    assertThrows(KvException.class, () -> store.txn(putAndDelete));
    assertEquals(1, store.currentRevision());
  }

  @Test
  void nestedThenAndElseMayPutTheSameKey() {
    TxnRequest nested = TxnRequest.newBuilder()
        .addSuccess(op(put("a", "then"))).addFailure(op(put("a", "else"))).build();
    TxnRequest outer = TxnRequest.newBuilder()
        .addSuccess(RequestOp.newBuilder().setRequestTxn(nested)).build();
    TxnResponse r = store.txn(outer);
    assertTrue(r.getResponses(0).getResponseTxn().getSucceeded());
    assertEquals("then", only("a").getValue().toStringUtf8());
  }

  @Test
  void refusedTxnWritesNothing() {
    TxnRequest r = TxnRequest.newBuilder()
        .addSuccess(op(put("a", "1")))
        .addSuccess(op(PutRequest.newBuilder().setKey(b("b")).setLease(7).build())).build();
    KvException e = assertThrows(KvException.class, () -> store.txn(r));
    assertEquals(KvException.Code.LEASE_NOT_FOUND, e.code());
    assertEquals(0, store.range(get("a")).getCount());
    assertEquals(1, store.currentRevision());
  }

  @Test
  void compactedAndFutureRevisionsAreRefused() {
    store.put(put("a", "1")); // 2
    store.put(put("a", "2")); // 3
    store.put(put("a", "3")); // 4
    KvException future = assertThrows(KvException.class, () -> store.range(getAt("a", 5)));
    assertEquals(KvException.Code.FUTURE_REVISION, future.code());
    store.compact(CompactionRequest.newBuilder().setRevision(3).build());
    KvException old = assertThrows(KvException.class, () -> store.range(getAt("a", 2)));
    assertEquals(KvException.Code.COMPACTED, old.code());
    assertEquals("2", store.range(getAt("a", 3)).getKvs(0).getValue().toStringUtf8());
    assertThrows(KvException.class,
        () -> store.compact(CompactionRequest.newBuilder().setRevision(3).build()));
    KvException tooNew = assertThrows(KvException.class,
        () -> store.compact(CompactionRequest.newBuilder().setRevision(9).build()));
    assertEquals(KvException.Code.FUTURE_REVISION, tooNew.code());
  }

  @Test
  void compactionKeepsDeletedKeyGoneAndOldVersionsReadable() {
    store.put(put("a", "1")); // 2
    store.deleteRange(del("a")); // 3
    store.put(put("b", "1")); // 4
    store.compact(CompactionRequest.newBuilder().setRevision(4).build());
    assertEquals(0, store.range(getAt("a", 4)).getCount());
    assertEquals(1, store.range(getAt("b", 4)).getCount());
  }

  @Test
  void sortOrdersFollowEtcd() {
    store.put(put("a", "z")); // 2
    store.put(put("b", "y")); // 3
    store.put(put("c", "x")); // 4
    store.put(put("a", "w")); // 5
    RangeRequest all = get("a", "d");
    assertEquals(List.of("a", "b", "c"), keys(store.range(all)));
    RangeRequest byValue = all.toBuilder().setSortTarget(RangeRequest.SortTarget.VALUE).build();
    assertEquals(List.of("a", "c", "b"), keys(store.range(byValue))); // NONE + VALUE = ascend
    RangeRequest modDesc = all.toBuilder().setSortTarget(RangeRequest.SortTarget.MOD)
        .setSortOrder(RangeRequest.SortOrder.DESCEND).build();
    assertEquals(List.of("a", "c", "b"), keys(store.range(modDesc)));
    RangeRequest keyDesc = all.toBuilder().setSortOrder(RangeRequest.SortOrder.DESCEND).build();
    assertEquals(List.of("c", "b", "a"), keys(store.range(keyDesc)));
    RangeRequest createAsc = all.toBuilder().setSortTarget(RangeRequest.SortTarget.CREATE)
        .setSortOrder(RangeRequest.SortOrder.ASCEND).build();
    assertEquals(List.of("a", "b", "c"), keys(store.range(createAsc)));
  }

  @Test
  void limitSetsMoreAndCountIsTheWholeRange() {
    for (String k : List.of("a", "b", "c")) {
      store.put(put(k, k));
    }
    RangeResponse r = store.range(get("a", "z").toBuilder().setLimit(2).build());
    assertEquals(List.of("a", "b"), keys(r));
    assertTrue(r.getMore());
    assertEquals(3, r.getCount());
    RangeResponse exact = store.range(get("a", "z").toBuilder().setLimit(3).build());
    assertFalse(exact.getMore());
    RangeResponse countOnly = store.range(get("a", "z").toBuilder().setCountOnly(true).build());
    assertEquals(0, countOnly.getKvsCount());
    assertEquals(3, countOnly.getCount());
    RangeResponse keysOnly = store.range(get("a", "z").toBuilder().setKeysOnly(true).build());
    assertTrue(keysOnly.getKvs(0).getValue().isEmpty());
  }

  @Test
  void prefixAndFromKeyRanges() {
    for (String k : List.of("a", "ab", "abc", "b", "c")) {
      store.put(put(k, k));
    }
    assertEquals(List.of("a", "ab", "abc"), keys(store.range(get("a", "b")))); // prefix "a"
    assertEquals(List.of("b", "c"), keys(store.range(get("b", "\0")))); // from-key
    assertEquals(5, store.range(get("\0", "\0")).getCount()); // everything
    assertEquals(0, store.range(get("c", "a")).getCount()); // end <= key: empty
  }

  @Test
  void ignoreValueAndIgnoreLease() {
    PutRequest keepValue = PutRequest.newBuilder().setKey(b("a")).setIgnoreValue(true).build();
    KvException missing = assertThrows(KvException.class, () -> store.put(keepValue));
    assertEquals(KvException.Code.KEY_NOT_FOUND, missing.code());
    store.put(put("a", "v1"));
    store.put(keepValue);
    KeyValue kv = only("a");
    assertEquals("v1", kv.getValue().toStringUtf8());
    assertEquals(2, kv.getVersion());
    PutRequest both = keepValue.toBuilder().setValue(b("x")).build();
    assertEquals(KvException.Code.VALUE_PROVIDED,
        assertThrows(KvException.class, () -> store.put(both)).code());
    PutRequest leaseToo = PutRequest.newBuilder().setKey(b("a")).setIgnoreLease(true).setLease(3).build();
    assertEquals(KvException.Code.LEASE_PROVIDED,
        assertThrows(KvException.class, () -> store.put(leaseToo)).code());
  }

  @Test
  void emptyKeyIsRefused() {
    KvException e = assertThrows(KvException.class, () -> store.put(put("", "v")));
    assertEquals(KvException.Code.EMPTY_KEY, e.code());
    assertThrows(KvException.class, () -> store.range(get("")));
  }

  @Test
  void putReturnsPrevKvWhenAsked() {
    store.put(put("a", "1"));
    var r = store.put(put("a", "2").toBuilder().setPrevKv(true).build());
    assertEquals("1", r.getPrevKv().getValue().toStringUtf8());
    assertFalse(store.put(put("a", "3")).hasPrevKv());
  }

  @Test
  void revisionFiltersPruneButCountDoesNot() {
    store.put(put("a", "1")); // 2
    store.put(put("b", "1")); // 3
    RangeResponse r = store.range(get("a", "z").toBuilder().setMinModRevision(3).build());
    assertEquals(List.of("b"), keys(r));
    assertEquals(2, r.getCount());
  }
}
