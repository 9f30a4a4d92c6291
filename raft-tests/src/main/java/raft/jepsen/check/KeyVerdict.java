package raft.jepsen.check;

import java.util.List;
import raft.jepsen.history.Op;

/**
 * The linearizability verdict for one key's register history.
 *
 * <p>Three outcomes: linearizable ({@code linearizable && !gaveUp}); not linearizable
 * ({@code !linearizable && !gaveUp}), with the operations that could not be placed and a
 * sentence saying why; unknown ({@code gaveUp}, and then {@code linearizable} is false), when
 * the search ran out of its budget of configurations before deciding.
 *
 * @param unplaceable when not linearizable: the operation whose completion no order of the
 *     earlier operations can satisfy (first), then the other operations still pending at that
 *     point, none of which could be placed next; empty when linearizable
 * @param explanation one human sentence; empty when linearizable
 */
public record KeyVerdict(
    String key, boolean linearizable, List<Op> unplaceable, String explanation, boolean gaveUp) {

  public KeyVerdict {
    unplaceable = List.copyOf(unplaceable);
  }

  /** "linearizable", "NOT linearizable" or "unknown" (the search gave up). */
  public String status() {
    return gaveUp ? "unknown" : linearizable ? "linearizable" : "NOT linearizable";
  }
}
