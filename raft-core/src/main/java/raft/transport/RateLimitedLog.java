package raft.transport;

import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A log for lines a stranger can provoke at will (one per refused connection): at most
 * {@code burst} lines per window, then a note that the rest are only counted, and the count once
 * the next window opens. Thread-safe.
 */
final class RateLimitedLog implements Consumer<String> {
  private final Consumer<String> log;
  private final int burst;
  private final long windowNanos;
  private final LongSupplier nanoTime;
  private long windowStart;
  private int logged;
  private long suppressed;

  RateLimitedLog(Consumer<String> log, int burst, long windowSeconds) {
    this(log, burst, windowSeconds, System::nanoTime);
  }

  RateLimitedLog(Consumer<String> log, int burst, long windowSeconds, LongSupplier nanoTime) {
    this.log = log;
    this.burst = burst;
    this.windowNanos = windowSeconds * 1_000_000_000L;
    this.nanoTime = nanoTime;
    this.windowStart = nanoTime.getAsLong();
  }

  @Override
  public synchronized void accept(String line) {
    long now = nanoTime.getAsLong();
    if (now - windowStart >= windowNanos) {
      if (suppressed > 0) {
        log.accept("peer port: " + suppressed + " more refusals like the above were not logged"
            + " in the last " + (now - windowStart) / 1_000_000_000L + " s");
      }
      windowStart = now;
      logged = 0;
      suppressed = 0;
    }
    if (logged < burst) {
      logged++;
      log.accept(line);
      if (logged == burst) {
        log.accept("peer port: " + burst + " refusals in " + windowNanos / 1_000_000_000L
            + " s; counting, not logging, the rest until the next window");
      }
    } else {
      suppressed++;
    }
  }
}
