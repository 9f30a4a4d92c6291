package raft.jepsen.check;

import java.util.Arrays;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The set of linearized ops of a search configuration, kept small for Lowe's cache. Ops are
 * numbered in invocation order, so the linearized set is almost a prefix: everything below a
 * {@code bound}, except a few "holes" (the ops of the current concurrency window, and INFO ops
 * that have not taken effect). A cache key copies only the holes, not a bitset of the whole
 * history, which keeps long histories within memory. Not thread-safe.
 */
final class LinearizedSet {

  /** Every linearized id is below this. */
  private int bound;
  /** The ids below {@code bound} that are not linearized. */
  private final TreeSet<Integer> holes = new TreeSet<>();

  /** Adds {@code id} (not yet in the set); returns the bound to pass to {@link #remove}. */
  int add(int id) {
    int previousBound = bound;
    if (id >= bound) {
      for (int i = bound; i < id; i++) {
        holes.add(i);
      }
      bound = id + 1;
    } else {
      holes.remove(id);
    }
    return previousBound;
  }

  /** Undoes {@code add(id)}, which returned {@code previousBound}. */
  void remove(int id, int previousBound) {
    if (id >= previousBound) {
      holes.subSet(previousBound, id).clear();
      bound = previousBound;
    } else {
      holes.add(id);
    }
  }

  int size() {
    return bound - holes.size();
  }

  /** An immutable key for (this set, {@code state}). */
  Key key(String state) {
    int[] copy = new int[holes.size()];
    int i = 0;
    for (int hole : holes) {
      copy[i++] = hole;
    }
    return new Key(bound, copy, state);
  }

  /** A configuration of the search: which ops are linearized, and the register's state. */
  static final class Key {
    private final int bound;
    private final int[] holes;
    private final String state;
    private final int hash;

    Key(int bound, int[] holes, String state) {
      this.bound = bound;
      this.holes = holes;
      this.state = state;
      this.hash = (31 * bound + Arrays.hashCode(holes)) * 31 + Objects.hashCode(state);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.hash == hash && k.bound == bound
          && Arrays.equals(k.holes, holes) && Objects.equals(k.state, state);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
