package raft.jepsen.check;

import java.util.Objects;
import raft.jepsen.history.Op;

/**
 * The sequential specification the history is checked against: one register per key, starting
 * absent. The state is the register's value, {@code null} when the key is absent. Pure.
 */
final class RegisterModel {

  private RegisterModel() {}

  /** The register's state before any operation: the key is absent. */
  static final String INITIAL = null;

  /** Whether {@code op} may take effect when the register holds {@code state}. */
  static boolean accepts(String state, Op op) {
    return switch (op.kind()) {
      case READ -> Objects.equals(op.value(), state);
      case WRITE -> true;
      // An OK (or INFO, if it happened at all) CAS means the compare succeeded.
      case CAS -> Objects.equals(op.expected(), state);
    };
  }

  /** The state after {@code op} took effect; only meaningful when {@link #accepts}. */
  static String apply(String state, Op op) {
    return op.kind() == Op.Kind.READ ? state : op.value();
  }

  /** Whether {@code op} changes the register when it takes effect. */
  static boolean writes(Op op) {
    return op.kind() != Op.Kind.READ;
  }
}
