package raft.kv.server;

import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.TimerTask;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Gives waiting requests a deadline: the future fails with a {@link TimeoutException} (which
 * clients see as {@code etcdserver: request timed out}) unless it completes in time.
 *
 * <p>A wheel timer rather than {@code CompletableFuture.orTimeout}: a cancelled orTimeout task
 * stays in its executor's queue, holding the future and its result, until the moment it would
 * have fired; a cancelled wheel timeout is dropped at the next tick. Thread-safe.
 */
final class Deadlines {
  private final Timer timer;
  private final Duration timeout;

  Deadlines(Timer timer, Duration timeout) {
    this.timer = timer;
    this.timeout = timeout;
  }

  /** Arms {@code f}'s deadline and returns {@code f}. */
  <T> CompletableFuture<T> within(CompletableFuture<T> f) {
    Timeout t = timer.newTimeout(x -> f.completeExceptionally(new TimeoutException()),
        timeout.toMillis(), TimeUnit.MILLISECONDS);
    f.whenComplete((v, e) -> t.cancel());
    return f;
  }

  /** Runs {@code task} when the deadline passes, unless the Timeout is cancelled first. */
  Timeout schedule(TimerTask task) {
    return timer.newTimeout(task, timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
