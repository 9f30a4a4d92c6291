package raft.util;

import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A log for lines that others can provoke at will (a refused connection, a refused response):
 * at most {@code burst} lines per window; the rest are only counted, and the count is logged
 * when the next line comes in a new window. Thread-safe.
 */
public final class RateLimitedLog implements Consumer<String> {
  private final Consumer<String> log;
  private final String what;
  private final int burst;
  private final long windowNanos;
  private final LongSupplier nanoTime;
  private long windowStart;
  private int logged;
  private long suppressed;

  /** @param what the lines' subject, for the count: "peer port refusals" */
  public RateLimitedLog(Consumer<String> log, String what, int burst, long windowSeconds) {
    this(log, what, burst, windowSeconds, System::nanoTime);
  }

  /** @param nanoTime the windows' clock (System::nanoTime; a test's own) */
  public RateLimitedLog(Consumer<String> log, String what, int burst, long windowSeconds,
      LongSupplier nanoTime) {
    this.log = log;
    this.what = what;
    this.burst = burst;
    this.windowNanos = windowSeconds * 1_000_000_000L;
    this.nanoTime = nanoTime;
    this.windowStart = nanoTime.getAsLong() - windowNanos;
  }

  @Override
  public synchronized void accept(String line) {
    long now = nanoTime.getAsLong();
    if (now - windowStart >= windowNanos) {
      if (suppressed > 0) {
        log.accept(suppressed + " more " + what + " were not logged in the last "
            + (now - windowStart) / 1_000_000_000L + " s");
      }
      windowStart = now;
      logged = 0;
      suppressed = 0;
    }
    if (logged < burst) {
      logged++;
      log.accept(line);
    } else {
      suppressed++;
    }
  }
}
