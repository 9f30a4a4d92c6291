package raft.jepsen.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import raft.jepsen.history.Op;

/**
 * Generates linearizable histories by running a real register: each op gets a random interval on
 * its process's timeline and a random linearization point inside it (INFO ops: after their
 * invocation, or never), and its result is what the register held at that point.
 */
final class RegisterSimulation {

  private RegisterSimulation() {}

  private record Shell(int process, Op.Kind kind, long invoke, long complete, long point,
      boolean info) {}

  /**
   * @param values the values written, chosen at random; null means a fresh value per write
   * @param maxGap/maxDuration timeline scale: concurrency is about processes * duration/(gap +
   *     duration)
   */
  static List<Op> history(Random random, String key, int size, int processes, double infoRate,
      List<String> values, long maxGap, long maxDuration) {
    List<Shell> shells = new ArrayList<>();
    long[] clock = new long[processes];
    int[] ids = new int[processes];
    for (int p = 0; p < processes; p++) {
      ids[p] = p;
    }
    for (int i = 0; i < size; i++) {
      int p = random.nextInt(processes);
      long invoke = clock[p] + (long) (random.nextDouble() * maxGap);
      long complete = invoke + (long) (random.nextDouble() * maxDuration);
      boolean info = random.nextDouble() < infoRate;
      long point = info && random.nextBoolean() ? Long.MAX_VALUE
          : invoke + (long) (random.nextDouble() * (complete - invoke + 1));
      Op.Kind kind = Op.Kind.values()[random.nextInt(3)];
      shells.add(new Shell(ids[p], kind, invoke, complete, point, info));
      clock[p] = complete;
      if (info) {
        ids[p] += processes; // Jepsen style: a process whose op is in doubt is replaced
      }
    }
    shells.sort(Comparator.comparingLong(Shell::point));
    return run(random, key, shells, values);
  }

  private static List<Op> run(Random random, String key, List<Shell> shells,
      List<String> values) {
    List<Op> ops = new ArrayList<>();
    String state = null;
    int fresh = 0;
    for (Shell s : shells) {
      boolean happens = s.point != Long.MAX_VALUE;
      String value = values == null ? "v" + fresh++ : values.get(random.nextInt(values.size()));
      Op.Outcome outcome = s.info ? Op.Outcome.INFO : Op.Outcome.OK;
      boolean matches = happens && random.nextDouble() < 0.6; // for a CAS
      Op op = switch (s.kind) {
        case READ -> new Op(s.process, key, Op.Kind.READ, happens ? state : "junk", null,
            s.invoke, s.complete, outcome);
        case WRITE -> Op.write(s.process, key, value, s.invoke, s.complete, outcome);
        case CAS -> Op.cas(s.process, key, matches ? state : value + "x", value, s.invoke,
            s.complete, matches || s.info ? outcome : Op.Outcome.FAIL);
      };
      if (s.kind == Op.Kind.WRITE && happens || s.kind == Op.Kind.CAS && matches) {
        state = value;
      }
      ops.add(op);
    }
    ops.sort(Comparator.comparingLong(Op::invokeNanos));
    return ops;
  }
}
