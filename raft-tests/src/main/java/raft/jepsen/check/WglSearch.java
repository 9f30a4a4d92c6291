package raft.jepsen.check;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import raft.jepsen.history.Op;

/**
 * Wing and Gong's search for a linearization, with Lowe's memoization: the history is a linked
 * list of call and return events in time order; the search repeatedly picks a pending call that
 * precedes the first return still in the list, applies it to the model, and "lifts" the call
 * and its return out of the list; reaching a return means the op had to take effect by then, so
 * the last choice is undone ("unlifted") and the next candidate tried. A cache of (set of
 * linearized ops, model state) prunes configurations already explored: from the same set and
 * state, the rest of the search is the same.
 *
 * <p>INFO ops return at +infinity, so they may take effect at any time after their call, and the
 * search succeeds as soon as every OK op is linearized, leaving INFO ops out (they never
 * happened). As a heuristic, OK candidates are tried before INFO ones at each step.
 *
 * <p>While searching, it remembers the furthest point where it got stuck (the latest return it
 * could not get past, and the deepest configuration there), to explain a failure. One instance
 * per search; not thread-safe.
 */
final class WglSearch {

  enum Result { LINEARIZABLE, NOT_LINEARIZABLE, GAVE_UP }

  /** One call or return event; calls point at their return through {@code match}. */
  private static final class Entry {
    final Op op;
    final int id;
    final boolean call;
    final long time;
    int position; // index in the initial time order, to compare stuck points
    Entry match;
    Entry prev;
    Entry next;

    Entry(Op op, int id, boolean call, long time) {
      this.op = op;
      this.id = id;
      this.call = call;
      this.time = time;
    }
  }

  private record Frame(Entry call, String state, int pass, int previousBound) {}

  private final Entry head = new Entry(null, -1, true, Long.MIN_VALUE);
  private final long maxStates;
  private final int okOps;
  private final Set<LinearizedSet.Key> cache = new HashSet<>();

  // The furthest stuck point: the return that could not be passed, the deepest configuration
  // there, and the register values seen there.
  private Op stuckOp;
  private int stuckPosition = -1;
  private int stuckDepth = -1;
  private List<Op> stuckCandidates = List.of();
  private final Set<String> stuckStates = new LinkedHashSet<>();

  /** {@code ops}: FAIL ops and INFO reads already removed. */
  WglSearch(List<Op> ops, long maxStates) {
    this.maxStates = maxStates;
    this.okOps = (int) ops.stream().filter(o -> o.outcome() == Op.Outcome.OK).count();
    link(ops);
  }

  private void link(List<Op> unsorted) {
    // Ids in invocation order keep LinearizedSet's holes few.
    List<Op> ops = new ArrayList<>(unsorted);
    ops.sort(Comparator.comparingLong(Op::invokeNanos));
    List<Entry> events = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      Entry call = new Entry(op, i, true, op.invokeNanos());
      call.match = new Entry(op, i, false, op.completeNanos());
      events.add(call);
      events.add(call.match);
    }
    // At equal times calls come first: the ops are then concurrent, the lenient reading.
    events.sort(Comparator.comparingLong((Entry e) -> e.time)
        .thenComparing(e -> !e.call).thenComparingInt(e -> e.id));
    Entry prev = head;
    for (int i = 0; i < events.size(); i++) {
      Entry e = events.get(i);
      e.position = i;
      prev.next = e;
      e.prev = prev;
      prev = e;
    }
  }

  // The search's current configuration.
  private final Deque<Frame> stack = new ArrayDeque<>();
  private final LinearizedSet linearized = new LinearizedSet();
  private String state = RegisterModel.INITIAL;
  private int okRemaining;
  private int pass; // 0: try OK calls; 1: try INFO calls (a heuristic: OK ones first)
  private Entry entry;

  /** Runs the search; call once. */
  Result run() {
    okRemaining = okOps;
    entry = head.next;
    // Invariant: while an OK op is unlinearized, its return is in the list, after every call
    // scanned here, so entry never runs off the end.
    while (okRemaining > 0) {
      if (entry.call) {
        if (tryLinearize() && cache.size() > maxStates) {
          return Result.GAVE_UP;
        }
      } else if (pass == 0) {
        pass = 1;
        entry = head.next;
      } else if (!backtrack()) {
        return Result.NOT_LINEARIZABLE;
      }
    }
    return Result.LINEARIZABLE;
  }

  /**
   * Tries to linearize the call at {@code entry} next: if the model accepts it and the
   * resulting configuration is new, lifts it and rescans from the head; else moves on.
   */
  private boolean tryLinearize() {
    boolean info = entry.op.outcome() == Op.Outcome.INFO;
    if ((pass == 1) == info && RegisterModel.accepts(state, entry.op)
        && !(info && shadowed(entry))) {
      String next = RegisterModel.apply(state, entry.op);
      int previousBound = linearized.add(entry.id);
      if (cache.add(linearized.key(next))) {
        stack.push(new Frame(entry, state, pass, previousBound));
        state = next;
        lift(entry);
        okRemaining -= info ? 0 : 1;
        entry = head.next;
        pass = 0;
        return true;
      }
      linearized.remove(entry.id, previousBound);
    }
    entry = entry.next;
    return false;
  }

  /**
   * At a return with every candidate tried: the op had to take effect by now, so undo the last
   * choice and try the candidate after it. False when there is no choice left to undo.
   */
  private boolean backtrack() {
    noteStuck(entry, state, stack.size());
    if (stack.isEmpty()) {
      return false;
    }
    Frame top = stack.pop();
    state = top.state;
    pass = top.pass;
    linearized.remove(top.call.id, top.previousBound);
    unlift(top.call);
    okRemaining += top.call.op.outcome() == Op.Outcome.INFO ? 0 : 1;
    entry = top.call.next;
    return true;
  }

  /**
   * Symmetry reduction: pending INFO ops with the same kind and values are interchangeable (both
   * invoked, both return at +infinity), so only the earliest of them is ever tried next. Without
   * this, k identical pending INFO writes multiply the configurations by 2^k instead of k+1.
   */
  private boolean shadowed(Entry call) {
    for (Entry e = head.next; e != call; e = e.next) {
      if (e.call && e.op.outcome() == Op.Outcome.INFO && e.op.kind() == call.op.kind()
          && Objects.equals(e.op.value(), call.op.value())
          && Objects.equals(e.op.expected(), call.op.expected())) {
        return true;
      }
    }
    return false;
  }

  private static void lift(Entry call) {
    call.prev.next = call.next;
    if (call.next != null) {
      call.next.prev = call.prev;
    }
    Entry ret = call.match;
    ret.prev.next = ret.next;
    if (ret.next != null) {
      ret.next.prev = ret.prev;
    }
  }

  /** Reverses {@link #lift}: the removed entries still hold their old neighbours. */
  private static void unlift(Entry call) {
    Entry ret = call.match;
    ret.prev.next = ret;
    if (ret.next != null) {
      ret.next.prev = ret;
    }
    call.prev.next = call;
    if (call.next != null) {
      call.next.prev = call;
    }
  }

  private void noteStuck(Entry ret, String state, int depth) {
    if (ret.position < stuckPosition) {
      return;
    }
    if (ret.position > stuckPosition) {
      stuckPosition = ret.position;
      stuckOp = ret.op;
      stuckDepth = -1;
      stuckStates.clear();
    }
    if (stuckStates.size() < 16) {
      stuckStates.add(state);
    }
    if (depth > stuckDepth) {
      stuckDepth = depth;
      List<Op> candidates = new ArrayList<>();
      for (Entry e = head.next; e != ret; e = e.next) {
        if (e.call && e.op != ret.op && e.op.outcome() == Op.Outcome.OK) {
          candidates.add(e.op);
        }
      }
      stuckCandidates = candidates;
    }
  }

  /** How many configurations were explored (the cache's size). */
  long explored() {
    return cache.size();
  }

  /** The op whose return could not be passed at the furthest stuck point; null if none. */
  Op stuckOp() {
    return stuckOp;
  }

  /** The other OK ops pending at the deepest configuration at the furthest stuck point. */
  List<Op> stuckCandidates() {
    return stuckCandidates;
  }

  /** The register values (null = absent) in the configurations stuck at that point. */
  List<String> stuckStates() {
    return new ArrayList<>(stuckStates);
  }
}
