package raft.jepsen.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import raft.jepsen.history.Op;

/**
 * The obviously correct, exponential checker the WGL search is cross-checked against: tries every
 * order of every subset of the ops that contains all OK ops, leaves out all FAIL ops, may leave
 * out any INFO op, and respects real time (an op that completed before another was invoked comes
 * first). Written from the definition, sharing nothing with the checker. Up to ~10 ops.
 */
final class BruteForceChecker {

  private BruteForceChecker() {}

  static boolean linearizable(List<Op> history) {
    List<Op> ops = new ArrayList<>();
    for (Op op : history) {
      if (op.outcome() != Op.Outcome.FAIL) {
        ops.add(op);
      }
    }
    return extend(ops, new boolean[ops.size()], null);
  }

  private static boolean extend(List<Op> ops, boolean[] placed, String state) {
    if (allOkPlaced(ops, placed)) {
      return true;
    }
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      if (placed[i] || !mayGoNext(ops, placed, op) || !legal(state, op)) {
        continue;
      }
      placed[i] = true;
      boolean found = extend(ops, placed, op.kind() == Op.Kind.READ ? state : op.value());
      placed[i] = false;
      if (found) {
        return true;
      }
    }
    return false;
  }

  private static boolean allOkPlaced(List<Op> ops, boolean[] placed) {
    for (int i = 0; i < ops.size(); i++) {
      if (!placed[i] && ops.get(i).outcome() == Op.Outcome.OK) {
        return false;
      }
    }
    return true;
  }

  /** No unplaced OK op completed before {@code op} was invoked. */
  private static boolean mayGoNext(List<Op> ops, boolean[] placed, Op op) {
    for (int i = 0; i < ops.size(); i++) {
      Op other = ops.get(i);
      if (!placed[i] && other.outcome() == Op.Outcome.OK
          && other.completeNanos() < op.invokeNanos()) {
        return false;
      }
    }
    return true;
  }

  private static boolean legal(String state, Op op) {
    return switch (op.kind()) {
      case READ -> Objects.equals(state, op.value());
      case WRITE -> true;
      case CAS -> Objects.equals(state, op.expected());
    };
  }
}
