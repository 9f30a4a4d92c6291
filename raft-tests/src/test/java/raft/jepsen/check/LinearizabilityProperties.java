package raft.jepsen.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import raft.jepsen.history.Op;

/** The WGL checker against the brute-force one, on small random concurrent histories. */
class LinearizabilityProperties {

  private static final List<String> VALUES = Arrays.asList(null, "1", "2", "3");

  /** One generated op before it is laid out on its process's timeline. */
  record Spec(int process, Op.Kind kind, String value, String other, int gap, int duration,
      Op.Outcome outcome) {}

  @Provide
  Arbitrary<List<Spec>> specs() {
    Arbitrary<Op.Outcome> outcomes = Arbitraries.frequency(
        Tuple.of(6, Op.Outcome.OK), Tuple.of(1, Op.Outcome.FAIL), Tuple.of(2, Op.Outcome.INFO));
    return Combinators.combine(Arbitraries.integers().between(0, 2),
            Arbitraries.of(Op.Kind.class), Arbitraries.of("1", "2", "3"),
            Arbitraries.of(VALUES), Arbitraries.integers().between(0, 4),
            Arbitraries.integers().between(0, 8), outcomes)
        .as(Spec::new).list().ofMaxSize(8);
  }

  /** Each process runs its ops one after another; after an INFO op it is replaced. */
  static List<Op> layOut(List<Spec> specs) {
    long[] clock = new long[3];
    int[] ids = {0, 1, 2};
    List<Op> ops = new ArrayList<>();
    for (Spec s : specs) {
      long invoke = clock[s.process] + s.gap;
      long complete = invoke + s.duration;
      int id = ids[s.process];
      ops.add(switch (s.kind) {
        case READ -> new Op(id, "k", Op.Kind.READ, s.other, null, invoke, complete, s.outcome);
        case WRITE -> Op.write(id, "k", s.value, invoke, complete, s.outcome);
        case CAS -> Op.cas(id, "k", s.other, s.value, invoke, complete, s.outcome);
      });
      clock[s.process] = complete;
      ids[s.process] += s.outcome == Op.Outcome.INFO ? 3 : 0;
    }
    return ops;
  }

  @Property(tries = 500)
  @Label("WGL agrees with brute force on random histories of up to 8 ops")
  void agreesWithBruteForce(@ForAll("specs") List<Spec> specs) {
    List<Op> ops = layOut(specs);
    boolean expected = BruteForceChecker.linearizable(ops);
    KeyVerdict v = Linearizability.check("k", ops);
    assertFalse(v.gaveUp());
    assertEquals(expected, v.linearizable(), () -> ops + "\n" + v.explanation());
    assertEquals(!expected, !v.unplaceable().isEmpty());
    Statistics.label("linearizable").collect(expected);
  }

  @Property(tries = 500)
  @Label("histories of a real register are linearizable, and brute force agrees")
  void registerHistoriesAreLinearizable(@ForAll long seed,
      @ForAll @IntRange(min = 0, max = 8) int size) {
    List<Op> ops = RegisterSimulation.history(new Random(seed), "k", size, 3, 0.2,
        List.of("1", "2", "3"), 4, 8);
    assertTrue(BruteForceChecker.linearizable(ops), ops::toString);
    KeyVerdict v = Linearizability.check("k", ops);
    assertTrue(v.linearizable(), () -> ops + "\n" + v.explanation());
  }
}
