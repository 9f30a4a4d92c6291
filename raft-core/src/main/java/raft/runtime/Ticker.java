package raft.runtime;

/**
 * Where a member's clock comes from: Raft counts time in ticks (the election timeout, the
 * heartbeat interval), and this says when one has passed. A real member ticks on a timer
 * ({@link #every}); a test ticks by hand, so that what it checks does not hang on the wall
 * clock or on how busy the machine is.
 */
public interface Ticker {

  /**
   * Starts calling {@code tick} once per tick, until {@link #stop}. {@code tick} never blocks
   * (it only queues a tick for the Raft loop) and may be called from any thread.
   */
  void start(Runnable tick);

  /** Stops calling the tick; idempotent, never blocks (a failing thread may be calling). */
  void stop();

  /** A tick every {@code millis} milliseconds, on a daemon thread named {@code threadName}. */
  static Ticker every(long millis, String threadName) {
    return new ScheduledTicker(millis, threadName);
  }
}
