package raft.kv.server;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import raft.runtime.Failure;

/**
 * Ends a member's process after a fatal error, as etcd does (it logs a fatal line and exits): a
 * member that has stopped must look stopped, not stay up serving a state that no longer
 * advances. It closes what it can within a bounded grace period (a wedged thread cannot keep
 * the process alive), logs one last line naming the cause, and halts with a status that says
 * which cause:
 *
 * <pre>
 *   70 internal failure (a bug)      73 disk full (ENOSPC)
 *   71 state machine failure         74 storage failure (a failed write or fsync)
 *   72 out of memory
 * </pre>
 *
 * (2 is a usage error; 3 is the JVM's own exit under {@code -XX:+ExitOnOutOfMemoryError}, which
 * scripts/cluster's members run with: it catches the heap running out before any Java code
 * could.) Fatal errors come from the Raft runtime ({@link #exit}), from any thread that dies of
 * an uncaught throwable, and from an {@link OutOfMemoryError} that a library (gRPC, Netty)
 * would only have logged: Netty throws its own {@code OutOfDirectMemoryError}, which the JVM
 * flag does not see.
 */
public final class FatalExit {
  /** What the last line says after the member's name; {@code cluster status} looks for it. */
  public static final String MARKER = "fatal, exiting with status ";
  static final Duration GRACE = Duration.ofSeconds(5);

  /** Ends the process; {@link Runtime#halt} in a member, something testable in a test. */
  interface Halt {
    void halt(int status);
  }

  private final Consumer<String> log;
  private final Halt halt;
  private final Duration grace;
  private final AtomicBoolean exiting = new AtomicBoolean();
  private volatile Runnable close = () -> { };
  private volatile boolean shuttingDown;

  FatalExit(Consumer<String> log, Halt halt, Duration grace) {
    this.log = log;
    this.halt = halt;
    this.grace = grace;
  }

  /** For a member's process: handles uncaught throwables and OOMs that libraries log. */
  static FatalExit install(Consumer<String> log) {
    FatalExit f = new FatalExit(log, status -> Runtime.getRuntime().halt(status), GRACE);
    Thread.setDefaultUncaughtExceptionHandler(f::uncaught);
    Logger.getLogger("").addHandler(f.logHandler());
    return f;
  }

  /** What to close (within the grace period) before exiting. */
  void closing(Runnable close) {
    this.close = close;
  }

  /** A normal stop has begun: what its threads throw now is logged, not fatal. */
  void shuttingDown() {
    shuttingDown = true;
  }

  public static int status(Failure.Kind kind) {
    return switch (kind) {
      case INTERNAL -> 70;
      case STATE_MACHINE -> 71;
      case OUT_OF_MEMORY -> 72;
      case DISK_FULL -> 73;
      case STORAGE -> 74;
    };
  }

  /**
   * The reason a member's last log line gives, if that line is a fatal exit's: "disk full: no
   * space left on device ...". The JVM's own OOM exit counts too.
   */
  /**
   * The last line of a member's log that the member itself wrote (timestamped, or the JVM's own
   * OOM exit), skipping what a library printed after it: another thread can log a stack trace
   * between the fatal line and the halt.
   */
  public static Optional<String> lastOwnLine(String log) {
    String[] lines = log.split("\n");
    for (int i = lines.length - 1; i >= 0; i--) {
      String l = lines[i].strip();
      if (OWN_LINE.matcher(l).lookingAt() || l.startsWith("Terminating due to ")) {
        return Optional.of(l);
      }
    }
    return Optional.empty();
  }

  private static final Pattern OWN_LINE =
      Pattern.compile("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ");

  public static Optional<String> reasonIn(String lastLine) {
    int at = lastLine.indexOf(MARKER);
    if (at >= 0) {
      int colon = lastLine.indexOf(": ", at);
      return Optional.of(colon < 0 ? lastLine.substring(at) : lastLine.substring(colon + 2));
    }
    if (lastLine.startsWith("Terminating due to java.lang.OutOfMemoryError")) {
      return Optional.of("out of memory: " + lastLine + " (-XX:+ExitOnOutOfMemoryError)");
    }
    return Optional.empty();
  }

  /** If a fatal exit has begun, blocks until it halts the process; else returns at once. */
  void awaitHalt() throws InterruptedException {
    if (exiting.get()) {
      new java.util.concurrent.CountDownLatch(1).await();
    }
  }

  /**
   * Starts the exit once; later calls (other threads failing meanwhile) change nothing. During
   * a normal stop the failure is only logged (closing may be what broke it): the stop goes on.
   */
  public void exit(Failure f) {
    if (shuttingDown && f.kind() != Failure.Kind.OUT_OF_MEMORY) {
      log.accept("while stopping: " + f.line());
      return;
    }
    if (!exiting.compareAndSet(false, true)) {
      return;
    }
    try {
      Thread t = new Thread(() -> closeThenHalt(f), "fatal-exit");
      t.start();
    } catch (Throwable noThread) { // out of memory for a thread: skip the graceful part
      lastLineThenHalt(f);
    }
  }

  /** The status of a member that stops because it was removed from the cluster. */
  public static final int REMOVED = 75;

  /**
   * Ends the process after closing (within the grace period) with {@code status} and a last
   * line saying {@code why}: for a stop that is no failure but final all the same (the member
   * was removed from the cluster). Once, as {@link #exit}.
   */
  public void stop(int status, String why) {
    if (!exiting.compareAndSet(false, true)) {
      return;
    }
    Thread t = new Thread(() -> {
      try {
        Thread closer = new Thread(close, "fatal-close");
        closer.setDaemon(true);
        closer.start();
        closer.join(grace.toMillis());
      } catch (Throwable e) {
        // Closing is a courtesy: whatever happens, the process ends below.
      } finally {
        try {
          log.accept(MARKER + status + ": " + why);
          System.out.flush();
        } finally {
          halt.halt(status);
        }
      }
    }, "fatal-exit");
    t.start();
  }

  private void closeThenHalt(Failure f) {
    try {
      if (f.kind() == Failure.Kind.INTERNAL || f.kind() == Failure.Kind.STATE_MACHINE) {
        log.accept("stack trace of the failure:\n" + stackTrace(f.error()));
      }
      Thread closer = new Thread(close, "fatal-close");
      closer.setDaemon(true);
      closer.start();
      closer.join(grace.toMillis());
      if (closer.isAlive()) {
        log.accept("closing took longer than " + grace.toSeconds() + " s; exiting without it");
      }
    } catch (Throwable e) {
      // Closing is a courtesy: whatever happens, the process ends below.
    } finally {
      lastLineThenHalt(f);
    }
  }

  private void lastLineThenHalt(Failure f) {
    int status = status(f.kind());
    try {
      log.accept(MARKER + status + ": " + f.line());
      System.out.flush();
    } finally {
      halt.halt(status);
    }
  }

  void uncaught(Thread t, Throwable e) {
    exit(Failure.uncaught(e, "thread " + t.getName()));
  }

  /** An OOM that gRPC or Netty caught and logged (then would have carried on) ends us too. */
  Handler logHandler() {
    return new Handler() {
      @Override
      public void publish(LogRecord r) {
        if (r.getThrown() != null && Failure.isOutOfMemory(r.getThrown())) {
          exit(Failure.uncaught(r.getThrown(), "a library (logged by " + r.getLoggerName()
              + " in thread " + Thread.currentThread().getName() + ")"));
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
  }

  private static String stackTrace(Throwable e) {
    StringWriter w = new StringWriter();
    e.printStackTrace(new PrintWriter(w));
    return w.toString().stripTrailing();
  }
}
