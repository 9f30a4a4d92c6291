package raft.runtime;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The real clock: a tick at a fixed rate on one daemon thread of its own. */
final class ScheduledTicker implements Ticker {
  private final long millis;
  private final ScheduledExecutorService timer;

  ScheduledTicker(long millis, String threadName) {
    this.millis = millis;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public void start(Runnable tick) {
    timer.scheduleAtFixedRate(tick, millis, millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void stop() {
    timer.shutdownNow();
  }
}
