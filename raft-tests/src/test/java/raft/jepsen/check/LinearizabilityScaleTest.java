package raft.jepsen.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.jepsen.history.Op;

/**
 * Histories of the size the harness records (thousands of ops per key, 8 clients at once) must
 * be decided, not given up on. No timing asserts: the test's runtime is the measure.
 */
class LinearizabilityScaleTest {

  private static KeyVerdict checkSimulated(long seed, int size, List<String> values) {
    List<Op> ops = RegisterSimulation.history(new Random(seed), "k", size, 8, 0.02, values,
        1_000_000, 5_000_000);
    return Linearizability.check("k", ops);
  }

  @Test
  @DisplayName("2000 ops, 8 clients, unique values, some INFO: linearizable")
  void uniqueValues() {
    for (long seed = 1; seed <= 3; seed++) {
      KeyVerdict v = checkSimulated(seed, 2000, null);
      assertTrue(v.linearizable(), v.explanation());
      assertFalse(v.gaveUp());
    }
  }

  @Test
  @DisplayName("2000 ops, 8 clients, three values only: linearizable")
  void fewValues() {
    KeyVerdict v = checkSimulated(7, 2000, List.of("1", "2", "3"));
    assertTrue(v.linearizable(), v.explanation());
  }

  @Test
  @DisplayName("one stale read injected into 2000 ops is found")
  void staleReadInjected() {
    List<Op> ops = new ArrayList<>(RegisterSimulation.history(new Random(11), "k", 2000, 8,
        0.02, null, 1_000_000, 5_000_000));
    long end = ops.stream().filter(o -> o.outcome() == Op.Outcome.OK)
        .mapToLong(Op::completeNanos).max().orElseThrow();
    Op stale = Op.read(99, "k", null, end + 1, end + 2);
    ops.add(stale);
    KeyVerdict v = Linearizability.check("k", ops);
    assertFalse(v.linearizable());
    assertFalse(v.gaveUp(), v.explanation());
    assertEquals(stale, v.unplaceable().get(0));
  }

  @Test
  @DisplayName("one impossible read in the middle of 4000 ops is found")
  void impossibleReadInTheMiddle() {
    List<Op> ops = new ArrayList<>(RegisterSimulation.history(new Random(12), "k", 4000, 8,
        0.02, null, 1_000_000, 5_000_000));
    long middle = ops.get(2000).invokeNanos();
    Op bad = Op.read(99, "k", "never-written", middle, middle + 1_000_000);
    ops.add(bad);
    KeyVerdict v = Linearizability.check("k", ops);
    assertFalse(v.linearizable());
    assertFalse(v.gaveUp(), v.explanation());
    assertEquals(bad, v.unplaceable().get(0));
  }

  @Test
  @DisplayName("checkPerKey over 4 keys of 1000 ops each")
  void perKey() {
    List<Op> history = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      history.addAll(RegisterSimulation.history(new Random(k), "key" + k, 1000, 8, 0.02, null,
          1_000_000, 5_000_000));
    }
    Map<String, KeyVerdict> verdicts = Linearizability.checkPerKey(history);
    assertEquals(4, verdicts.size());
    verdicts.values().forEach(v -> assertTrue(v.linearizable(), v.explanation()));
  }
}
