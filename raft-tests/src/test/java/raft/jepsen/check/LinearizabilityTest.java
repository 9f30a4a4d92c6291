package raft.jepsen.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.jepsen.history.Op;
import raft.jepsen.history.Op.Outcome;

/** Small hand-written register histories that are, and are not, linearizable. */
class LinearizabilityTest {

  private static final String K = "k";

  private static Op read(int p, String v, long t1, long t2) {
    return Op.read(p, K, v, t1, t2);
  }

  private static Op write(int p, String v, long t1, long t2, Outcome o) {
    return Op.write(p, K, v, t1, t2, o);
  }

  private static KeyVerdict check(Op... ops) {
    return Linearizability.check(K, List.of(ops));
  }

  private static void assertLinearizable(KeyVerdict v) {
    assertTrue(v.linearizable(), () -> v.explanation());
    assertFalse(v.gaveUp());
    assertTrue(v.unplaceable().isEmpty());
    assertEquals("linearizable", v.status());
  }

  private static void assertNotLinearizable(KeyVerdict v, Op culprit) {
    assertFalse(v.linearizable());
    assertFalse(v.gaveUp());
    assertEquals("NOT linearizable", v.status());
    assertEquals(culprit, v.unplaceable().get(0), v.explanation());
  }

  @Test
  @DisplayName("a stale read after an acknowledged write is not linearizable")
  void staleReadAfterAcknowledgedWrite() {
    Op w = write(1, "7", 0, 10_000_000, Outcome.OK);
    Op stale = read(3, null, 20_000_000, 30_000_000);
    KeyVerdict v = check(w, stale);
    assertNotLinearizable(v, stale);
    assertEquals("read of k by process 3 returned absent at [20.000ms, 30.000ms], but the only"
        + " values possible then were '7' (written by process 1, acknowledged at 10.000ms"
        + " < 20.000ms)", v.explanation());
  }

  @Test
  @DisplayName("a stale read of an older value names the newer write")
  void staleReadOfOlderValue() {
    Op w1 = write(1, "5", 0, 10, Outcome.OK);
    Op w2 = write(2, "7", 20, 30, Outcome.OK);
    Op stale = read(3, "5", 40, 50);
    Op fine = read(4, "7", 35, 60);
    KeyVerdict v = check(w1, w2, fine, stale);
    assertNotLinearizable(v, stale);
    assertTrue(v.explanation().contains("returned '5'"), v.explanation());
    assertTrue(v.explanation().contains("'7' (written by process 2"), v.explanation());
  }

  @Test
  @DisplayName("a CAS that succeeds on a value never written is not linearizable")
  void casOnValueNeverWritten() {
    Op w = write(1, "1", 0, 10, Outcome.OK);
    Op cas = Op.cas(2, K, "9", "2", 20, 30, Outcome.OK);
    KeyVerdict v = check(w, cas);
    assertNotLinearizable(v, cas);
    assertTrue(v.explanation().startsWith("cas of k by process 2 from '9' to '2' succeeded"),
        v.explanation());
  }

  @Test
  @DisplayName("a read concurrent with a write may see either value")
  void concurrentWriteAndRead() {
    Op w = write(1, "1", 0, 100, Outcome.OK);
    assertLinearizable(check(w, read(2, "1", 10, 20)));
    assertLinearizable(check(w, read(2, null, 10, 20)));
    assertLinearizable(check(w, read(2, null, 10, 20), read(3, "1", 30, 40)));
  }

  @Test
  @DisplayName("two reads concurrent with a write cannot see it and then not see it")
  void newThenOldDuringWrite() {
    Op w = write(1, "1", 0, 100, Outcome.OK);
    Op old = read(3, null, 30, 40);
    assertNotLinearizable(check(w, read(2, "1", 10, 20), old), old);
  }

  @Test
  @DisplayName("an INFO write may show up later, or never")
  void infoWriteShowsUpOrNot() {
    Op info = write(1, "1", 0, 0, Outcome.INFO);
    assertEquals(Long.MAX_VALUE, info.completeNanos());
    assertLinearizable(check(info, read(2, "1", 1_000, 2_000)));
    assertLinearizable(check(info, read(2, null, 1_000, 2_000), read(2, null, 3_000, 4_000)));
    // It may even take effect long after later ops completed.
    assertLinearizable(check(info, read(2, null, 1_000, 2_000), read(2, "1", 3_000, 4_000)));
  }

  @Test
  @DisplayName("an INFO write seen by one read and then unseen by a later read is not")
  void infoWriteSeenThenUnseen() {
    Op info = write(1, "1", 0, 0, Outcome.INFO);
    Op old = read(3, null, 3_000, 4_000);
    assertNotLinearizable(check(info, read(2, "1", 1_000, 2_000), old), old);
  }

  @Test
  @DisplayName("a FAIL write whose value is read is not linearizable")
  void failedWriteRead() {
    Op fail = write(1, "1", 0, 10, Outcome.FAIL);
    Op r = read(2, "1", 20, 30);
    KeyVerdict v = check(fail, r);
    assertNotLinearizable(v, r);
    assertTrue(v.explanation().contains("absent (nothing written yet)"), v.explanation());
  }

  @Test
  @DisplayName("reads of an absent key before any write are linearizable; INFO reads are ignored")
  void absentReads() {
    assertLinearizable(check(read(1, null, 0, 10), read(2, null, 5, 15),
        write(3, "1", 20, 30, Outcome.OK), read(1, "1", 40, 50),
        new Op(2, K, Op.Kind.READ, "junk", null, 60, 0, Outcome.INFO)));
    assertLinearizable(check());
  }

  @Test
  @DisplayName("CAS chains: OK CAS takes effect, FAIL CAS is dropped, INFO CAS may apply")
  void casChains() {
    assertLinearizable(check(write(1, "1", 0, 10, Outcome.OK),
        Op.cas(2, K, "1", "2", 20, 30, Outcome.OK),
        Op.cas(3, K, "1", "3", 40, 50, Outcome.FAIL),
        Op.cas(1, K, "2", "4", 60, 0, Outcome.INFO),
        read(2, "4", 70, 80)));
    Op r = read(2, "1", 40, 50);
    assertNotLinearizable(check(write(1, "1", 0, 10, Outcome.OK),
        Op.cas(2, K, "1", "2", 20, 30, Outcome.OK), r), r);
  }

  @Test
  @DisplayName("pending acknowledged ops that cannot be placed either are unplaceable too")
  void pendingOpsReported() {
    Op w = write(1, "1", 0, 10, Outcome.OK);
    Op bad = read(2, "9", 20, 30);
    Op placeable = read(3, "1", 25, 100);
    Op alsoBad = read(4, "8", 26, 100);
    KeyVerdict v = check(w, bad, placeable, alsoBad);
    assertNotLinearizable(v, bad);
    assertEquals(List.of(bad, alsoBad), v.unplaceable());
  }

  @Test
  @DisplayName("identical pending INFO writes are interchangeable: 80 of them stay tractable")
  void manyIdenticalInfoWrites() {
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      ops.add(write(i, i % 2 == 0 ? "1" : "2", i, 0, Outcome.INFO));
    }
    ops.add(read(100, "1", 200, 300));
    ops.add(read(101, "2", 400, 500));
    Op bad = read(102, "3", 600, 700);
    ops.add(bad);
    KeyVerdict v = Linearizability.check(K, ops, 100_000);
    assertNotLinearizable(v, bad);
  }

  @Test
  @DisplayName("pending INFO CASes with the same new value but different expected ones differ")
  void infoCasesWithDifferentExpectations() {
    assertLinearizable(check(Op.cas(1, K, "1", "2", 0, 0, Outcome.INFO),
        Op.cas(2, K, "3", "2", 1, 0, Outcome.INFO),
        write(3, "3", 2, 3, Outcome.OK), read(4, "2", 4, 5)));
  }

  @Test
  @DisplayName("the search gives up beyond its budget and reports unknown")
  void givesUp() {
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      ops.add(write(i, "v" + i, 0, 100, Outcome.OK));
    }
    ops.add(read(20, "nope", 200, 300));
    KeyVerdict v = Linearizability.check(K, ops, 50);
    assertTrue(v.gaveUp());
    assertFalse(v.linearizable());
    assertEquals("unknown", v.status());
    assertTrue(v.explanation().startsWith("gave up after exploring"), v.explanation());
  }

  @Test
  @DisplayName("checkPerKey splits by key: one bad key does not taint the others")
  void perKey() {
    List<Op> history = List.of(
        Op.write(1, "a", "1", 0, 10, Outcome.OK), Op.read(2, "a", "1", 20, 30),
        Op.write(1, "b", "1", 0, 10, Outcome.OK), Op.read(2, "b", null, 20, 30));
    Map<String, KeyVerdict> verdicts = Linearizability.checkPerKey(history);
    assertEquals(List.of("a", "b"), List.copyOf(verdicts.keySet()));
    assertTrue(verdicts.get("a").linearizable());
    assertFalse(verdicts.get("b").linearizable());
    assertEquals("b", verdicts.get("b").unplaceable().get(0).key());
  }

  @Test
  void rejectsOpsOfAnotherKey() {
    assertThrows(IllegalArgumentException.class,
        () -> Linearizability.check("x", List.of(read(1, null, 0, 1))));
  }
}
