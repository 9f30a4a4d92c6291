package raft.jepsen.check;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import raft.jepsen.history.Op;

/**
 * Linearizability of a register history, per key. Pure and stateless: safe from any thread;
 * {@link #checkPerKey} checks keys in parallel on the common fork-join pool.
 *
 * <p>Before searching, ops that carry no constraint are dropped: FAIL ops (they certainly did not
 * happen), INFO reads (nobody saw their result), and INFO writes and CASes whose value nobody
 * observed (no OK read returned it and no CAS expected it). The last is sound: in any
 * linearization that contains such a write, nothing can sit between it and the next write (no
 * read or CAS accepts its value), so it can be removed; and an INFO op may never happen anyway.
 * Jepsen-style workloads write unique values, so timed-out writes that never landed cost
 * nothing.
 */
public final class Linearizability {

  /**
   * Configurations a key's search may explore by default before giving up. A cached
   * configuration costs ~100 bytes plus 4 per pending op (see {@link LinearizedSet}), so this
   * is a few hundred MB per key at most, and ~10 s of search.
   */
  public static final long DEFAULT_MAX_STATES = 2_000_000;

  private Linearizability() {}

  /** Checks one key's ops, exploring at most {@link #DEFAULT_MAX_STATES} configurations. */
  public static KeyVerdict check(String key, List<Op> ops) {
    return check(key, ops, DEFAULT_MAX_STATES);
  }

  /**
   * Checks one key's ops (a register starting absent), exploring at most {@code maxStates}
   * configurations; beyond that the verdict is unknown ({@link KeyVerdict#gaveUp()}).
   *
   * @throws IllegalArgumentException if an op is for another key
   */
  public static KeyVerdict check(String key, List<Op> ops, long maxStates) {
    for (Op op : ops) {
      if (!Objects.equals(op.key(), key)) {
        throw new IllegalArgumentException("op for key " + op.key() + " in history of " + key);
      }
    }
    List<Op> relevant = relevant(ops);
    WglSearch search = new WglSearch(relevant, maxStates);
    WglSearch.Result result = search.run();
    return Explainer.verdict(key, relevant, result, search);
  }

  /**
   * P-compositionality (Herlihy and Wing): a history is linearizable iff each key's
   * sub-history is, so keys are checked independently, in parallel. Keys in sorted order.
   */
  public static Map<String, KeyVerdict> checkPerKey(List<Op> history) {
    Map<String, List<Op>> byKey = history.stream()
        .collect(Collectors.groupingBy(Op::key, TreeMap::new, Collectors.toList()));
    Map<String, KeyVerdict> verdicts = new ConcurrentHashMap<>();
    byKey.entrySet().parallelStream()
        .forEach(e -> verdicts.put(e.getKey(), check(e.getKey(), e.getValue())));
    return new TreeMap<>(verdicts);
  }

  /** The ops that constrain the search (see the class comment). */
  static List<Op> relevant(List<Op> ops) {
    Set<String> observed = new HashSet<>();
    for (Op op : ops) {
      if (op.kind() == Op.Kind.READ && op.outcome() == Op.Outcome.OK) {
        observed.add(op.value());
      } else if (op.kind() == Op.Kind.CAS && op.outcome() != Op.Outcome.FAIL) {
        observed.add(op.expected());
      }
    }
    List<Op> kept = new ArrayList<>();
    for (Op op : ops) {
      boolean info = op.outcome() == Op.Outcome.INFO;
      if (op.outcome() == Op.Outcome.FAIL || info && op.kind() == Op.Kind.READ) {
        continue;
      }
      if (info && !observed.contains(op.value())) {
        continue;
      }
      kept.add(op);
    }
    return kept;
  }
}
