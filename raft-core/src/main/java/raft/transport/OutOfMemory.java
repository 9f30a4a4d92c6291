package raft.transport;

import raft.util.Causes;

/**
 * An {@link OutOfMemoryError} that reaches a Netty handler (Netty's own {@code
 * OutOfDirectMemoryError} when a frame's buffer cannot be allocated, or the JDK's) would be
 * logged and swallowed with the connection, leaving a member that limps on. It goes to the
 * thread's uncaught exception handler instead, whose owner decides: the raftkv server process
 * ends the member with a clear last line.
 */
final class OutOfMemory {
  private OutOfMemory() {}

  /** Hands {@code cause} to the uncaught exception handler if it is or wraps an OOM. */
  static void report(Throwable cause) {
    if (Causes.find(cause, OutOfMemoryError.class) != null) {
      Thread t = Thread.currentThread();
      t.getUncaughtExceptionHandler().uncaughtException(t, cause);
    }
  }
}
