package raft.kv.bench;

/**
 * The open-loop schedule: request i is due at {@code start + i / rate} seconds. Each due time
 * is computed from i, not by adding a period to the previous one, so rounding never drifts.
 * Latency is measured from the due time, not the send time: when the server stalls, the
 * requests that should have been sent meanwhile count the stall too (no coordinated omission).
 * Pure arithmetic, no clock: the caller passes {@code System.nanoTime()} values.
 */
public final class OpenLoop {
  private final long startNanos;
  private final double nanosPerRequest;

  public OpenLoop(long startNanos, double ratePerSecond) {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("rate must be positive, not " + ratePerSecond);
    }
    this.startNanos = startNanos;
    this.nanosPerRequest = 1e9 / ratePerSecond;
  }

  /** When request i (from 0) is due. */
  public long dueAt(long i) {
    return startNanos + Math.round(i * nanosPerRequest);
  }

  /** How many requests are due at {@code nowNanos} (the index of the first one not yet due). */
  public long dueBy(long nowNanos) {
    if (nowNanos < startNanos) {
      return 0;
    }
    long n = (long) Math.floor((nowNanos - startNanos) / nanosPerRequest) + 1;
    // Correct the float estimate against dueAt, which is the definition.
    while (n > 0 && dueAt(n - 1) > nowNanos) {
      n--;
    }
    while (dueAt(n) <= nowNanos) {
      n++;
    }
    return n;
  }
}
