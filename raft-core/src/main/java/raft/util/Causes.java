package raft.util;

/** Walks a throwable's cause chain. */
public final class Causes {
  /** Longer chains are cut: a cycle of causes must not loop forever. */
  private static final int MAX_DEPTH = 16;

  private Causes() {}

  /** The first throwable of type {@code t} in {@code e}'s cause chain, or null. */
  public static <T extends Throwable> T find(Throwable e, Class<T> t) {
    for (int depth = 0; e != null && depth < MAX_DEPTH; e = e.getCause(), depth++) {
      if (t.isInstance(e)) {
        return t.cast(e);
      }
    }
    return null;
  }

  /** The first throwable in the chain that has a message, or {@code e} if none has. */
  public static Throwable withMessage(Throwable e) {
    Throwable m = e;
    for (int depth = 0; m.getMessage() == null && m.getCause() != null && depth < MAX_DEPTH;
        depth++) {
      m = m.getCause();
    }
    return m.getMessage() != null ? m : e;
  }
}
