package raft.runtime;

import raft.util.Causes;
import java.io.IOException;
import java.util.Locale;

/**
 * Why a member stopped for good, in one line that names the cause and what the operator should
 * do. A member stops on the first fatal error and never resumes: its owner decides what comes
 * next (the raftkv server process logs {@link #line} last and exits; see {@link
 * NodeRuntime#addFailureListener}).
 *
 * <p>The cause is read from the error itself, not only from where it was caught: an I/O error
 * surfacing on the apply thread (a snapshot file) is a storage failure, and an {@link
 * OutOfMemoryError} is out of memory wherever it is thrown (Netty's {@code
 * OutOfDirectMemoryError} is one).
 *
 * @param kind the cause, for a program (an exit status, a short state in a status display)
 * @param line the one line for a human, starting with {@link Kind#title}
 * @param error what was thrown (its stack trace is worth printing for a bug)
 */
public record Failure(Kind kind, String line, Throwable error) {

  /** The causes, each with its short title (the start of every line of that kind). */
  public enum Kind {
    /** ENOSPC: nothing is wrong with the data; space is needed before a restart. */
    DISK_FULL("disk full"),
    /** A failed write or fsync (EIO and the like): the page cache may have lost the data. */
    STORAGE("storage failure"),
    /** The heap or direct memory ran out: the state may be half-updated, so it is not kept. */
    OUT_OF_MEMORY("out of memory"),
    /** The state machine threw while applying a committed entry or restoring a snapshot. */
    STATE_MACHINE("state machine failure"),
    /** Anything else: a bug. */
    INTERNAL("internal failure");

    public final String title;

    Kind(String title) {
      this.title = title;
    }
  }

  /** Where an error was caught, when the error itself does not tell the cause. */
  enum Site { RAFT_LOOP, STORAGE, APPLY }

  /**
   * Classifies {@code e} and writes its line. {@code dataDir} names the disk in a disk-full
   * line; {@code site} decides between state machine and internal failure.
   */
  static Failure of(Throwable e, Site site, Object dataDir) {
    return of(kindOf(e, site), describe(e), e, "for " + dataDir);
  }

  /**
   * A throwable that nobody caught, or that a library caught and would only have logged, in
   * the thread or component named by {@code where}: out of memory, a disk error or a bug.
   */
  public static Failure uncaught(Throwable e, String where) {
    return of(kindOf(e, Site.RAFT_LOOP), describe(e) + " in " + where, e, "for this member");
  }

  private static Failure of(Kind kind, String error, Throwable e, String disk) {
    String line = switch (kind) {
      case DISK_FULL -> "no space left on device " + disk + " (" + error + "); free space and"
          + " restart this member: what it persisted before is intact";
      case STORAGE -> error + "; a failed write or fsync cannot be retried safely (the kernel"
          + " may have dropped the data): restart this member to recover from what is on disk";
      case OUT_OF_MEMORY -> error + "; restart this member, with more heap (-Xmx) or direct"
          + " memory (-XX:MaxDirectMemorySize) if it happens again";
      case STATE_MACHINE -> error + "; the state it serves can no longer advance: restart this"
          + " member to replay the log";
      case INTERNAL -> error + at(e) + "; this is a bug: restart this member and report it with"
          + " this log";
    };
    return new Failure(kind, kind.title + ": " + line, e);
  }

  static Kind kindOf(Throwable e, Site site) {
    if (Causes.find(e, OutOfMemoryError.class) != null) {
      return Kind.OUT_OF_MEMORY;
    }
    IOException io = Causes.find(e, IOException.class);
    if (io != null) {
      // Linux's strerror(ENOSPC) is what the JDK puts in the message; quota limits (EDQUOT)
      // read "Disk quota exceeded" and call for the same remedy.
      String m = String.valueOf(io.getMessage()).toLowerCase(Locale.ROOT);
      return m.contains("no space left on device") || m.contains("disk quota exceeded")
          ? Kind.DISK_FULL : Kind.STORAGE;
    }
    return site == Site.APPLY ? Kind.STATE_MACHINE : Kind.INTERNAL;
  }

  /** True if {@code e} is, or was caused by, an {@link OutOfMemoryError}. */
  public static boolean isOutOfMemory(Throwable e) {
    return Causes.find(e, OutOfMemoryError.class) != null;
  }

  /** "message (ExceptionClass)", the innermost cause's message when the outer one has none. */
  private static String describe(Throwable e) {
    Throwable m = Causes.withMessage(e);
    String name = e.getClass().getName().startsWith("java.") ? e.getClass().getSimpleName()
        : e.getClass().getName();
    return (m.getMessage() != null ? m.getMessage() : "no message") + " (" + name + ")";
  }

  /** Where a bug was thrown: its top stack frame, so that the one line is worth reporting. */
  private static String at(Throwable e) {
    StackTraceElement[] st = e.getStackTrace();
    return st.length == 0 ? "" : " at " + st[0];
  }
}
