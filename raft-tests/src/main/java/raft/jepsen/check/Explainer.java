package raft.jepsen.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;
import raft.jepsen.history.Op;

/**
 * Turns a search's outcome into a {@link KeyVerdict} a person can act on.
 *
 * <p>The search's furthest stuck point is the answer to "what is the smallest prefix of the
 * history that is already not linearizable": every prefix up to the previous completion can be
 * ordered (the search got past it), and no order gets past the stuck op's completion. The
 * sentence names that op and the register values that the earlier ops allow at that point, each
 * with the op that wrote it. Times are milliseconds since the key's first invocation.
 */
final class Explainer {

  private Explainer() {}

  static KeyVerdict verdict(String key, List<Op> ops, WglSearch.Result result,
      WglSearch search) {
    return switch (result) {
      case LINEARIZABLE -> new KeyVerdict(key, true, List.of(), "", false);
      case GAVE_UP -> new KeyVerdict(key, false, unplaceable(search),
          "gave up after exploring " + search.explored() + " configurations of " + ops.size()
              + " ops" + (search.stuckOp() == null ? ""
              : "; furthest stuck point so far: " + sentence(key, ops, search)),
          true);
      case NOT_LINEARIZABLE -> new KeyVerdict(key, false, unplaceable(search),
          sentence(key, ops, search), false);
    };
  }

  private static List<Op> unplaceable(WglSearch search) {
    List<Op> out = new ArrayList<>();
    if (search.stuckOp() != null) {
      out.add(search.stuckOp());
      out.addAll(search.stuckCandidates());
    }
    return out;
  }

  static String sentence(String key, List<Op> ops, WglSearch search) {
    Op stuck = search.stuckOp();
    long origin = ops.stream().mapToLong(Op::invokeNanos).min().orElse(0);
    String possible = search.stuckStates().stream()
        .map(v -> describeValue(v, stuck, ops, origin))
        .collect(Collectors.joining(", "));
    String pending = search.stuckCandidates().isEmpty() ? ""
        : " (" + search.stuckCandidates().size() + " other acknowledged op(s) were pending then"
            + " and could not be placed either)";
    return describe(key, stuck, origin) + ", but the only values possible then were "
        + possible + pending;
  }

  /** "read of k by process 3 returned '5' at [1.000ms, 2.000ms]" and the like. */
  static String describe(String key, Op op, long origin) {
    String what = switch (op.kind()) {
      case READ -> "read of " + key + " by process " + op.process() + " returned "
          + quote(op.value());
      case WRITE -> "write of " + quote(op.value()) + " to " + key + " by process "
          + op.process() + (op.outcome() == Op.Outcome.OK ? " (acknowledged)" : "");
      case CAS -> "cas of " + key + " by process " + op.process() + " from "
          + quote(op.expected()) + " to " + quote(op.value()) + " succeeded";
    };
    return what + " at [" + ms(op.invokeNanos(), origin) + ", "
        + (op.outcome() == Op.Outcome.INFO ? "?" : ms(op.completeNanos(), origin)) + "]";
  }

  /** A value possible at the stuck point, with the op that most plausibly wrote it. */
  private static String describeValue(String value, Op stuck, List<Op> ops, long origin) {
    Op writer = null;
    for (Op op : ops) {
      boolean candidate = RegisterModel.writes(op) && Objects.equals(op.value(), value)
          && op != stuck && op.invokeNanos() <= stuck.completeNanos();
      if (candidate && (writer == null || op.invokeNanos() > writer.invokeNanos())) {
        writer = op;
      }
    }
    if (writer == null) {
      return value == null ? "absent (nothing written yet)" : quote(value);
    }
    String by = " (written by process " + writer.process();
    if (writer.outcome() == Op.Outcome.INFO) {
      return quote(value) + by + ", outcome unknown, invoked at "
          + ms(writer.invokeNanos(), origin) + ")";
    }
    String order = writer.completeNanos() < stuck.invokeNanos()
        ? " < " + ms(stuck.invokeNanos(), origin) : "";
    return quote(value) + by + ", acknowledged at " + ms(writer.completeNanos(), origin)
        + order + ")";
  }

  static String quote(String value) {
    return value == null ? "absent" : "'" + value + "'";
  }

  static String ms(long nanos, long origin) {
    return String.format(Locale.ROOT, "%.3fms", (nanos - origin) / 1e6);
  }
}
