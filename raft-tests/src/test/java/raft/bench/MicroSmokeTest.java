package raft.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import raft.kv.api.etcdserverpb.PutResponse;
import raft.kv.api.etcdserverpb.RangeResponse;
import raft.kv.api.mvccpb.KeyValue;

/**
 * Each benchmark body run a few times outside JMH, to prove it measures what it claims: the
 * core commits and applies exactly the batch on every member, the store puts and ranges the
 * right keys. Nothing here is timed.
 */
class MicroSmokeTest {
  @ParameterizedTest(name = "{0} members")
  @ValueSource(ints = {3, 5})
  void eachCoreOpCommitsAndAppliesItsBatchOnEveryMember(int members) {
    CoreCommit bench = new CoreCommit();
    bench.members = members;
    bench.elect();
    CoreCluster.Member leader = bench.leader();
    long before = leader.node.raft().log().commitIndex();
    assertEquals(before, bench.batch64() - 64);
    assertEquals(before + 64, leader.node.raft().log().commitIndex());
    assertEquals(before + 65, bench.batch1());
    for (CoreCluster.Member m : bench.cluster().members()) {
      assertEquals(before + 65, m.applied, "member " + m.id);
      assertEquals(before + 65, m.node.raft().log().lastApplied(), "member " + m.id);
    }
  }

  @Test
  void coreLogIsCompactedSoMemoryStaysBounded() {
    CoreCommit bench = new CoreCommit();
    bench.members = 3;
    bench.elect();
    long total = CoreCluster.COMPACT_EVERY + CoreCluster.KEEP_AFTER_COMPACT + 64;
    long applied = 0;
    for (long n = 0; n < total; n += 64) {
      applied = bench.batch64();
    }
    for (CoreCluster.Member m : bench.cluster().members()) {
      assertTrue(m.storage.firstIndex() > CoreCluster.COMPACT_EVERY / 2,
          "member " + m.id + " first index " + m.storage.firstIndex());
      assertTrue(applied - m.storage.firstIndex() <= CoreCluster.COMPACT_EVERY + 64);
      assertEquals(applied, m.applied);
    }
  }

  @Test
  void mvccPutRaisesTheRevisionAndRangesReturnTheRequestedKeys() {
    MvccOps bench = new MvccOps();
    bench.keys = 10_000;
    bench.fill();
    assertEquals(10_001, bench.store().currentRevision(), "one revision per pre-filled key");
    bench.compactHistory();
    PutResponse put = bench.put();
    assertEquals(10_002, put.getHeader().getRevision());

    RangeResponse one = bench.rangeOne();
    assertEquals(1, one.getKvsCount());
    KeyValue kv = one.getKvs(0);
    assertEquals(MvccOps.KEY_BYTES, kv.getKey().size());
    assertEquals(MvccOps.VALUE_BYTES, kv.getValue().size());

    RangeResponse hundred = bench.range100();
    assertEquals(MvccOps.RANGE_KEYS, hundred.getKvsCount());
    long first = index(hundred.getKvs(0).getKey());
    for (int i = 0; i < MvccOps.RANGE_KEYS; i++) {
      assertEquals(MvccOps.key(first + i), hundred.getKvs(i).getKey(), "consecutive keys");
    }
  }

  @Test
  void keysAreSixteenBytesAndSortByIndex() {
    assertEquals(ByteString.copyFromUtf8("k000000000000042"), MvccOps.key(42));
    assertTrue(MvccOps.key(9).toStringUtf8().compareTo(MvccOps.key(10).toStringUtf8()) < 0);
  }

  private static long index(ByteString key) {
    return Long.parseLong(key.toStringUtf8().substring(1));
  }
}
