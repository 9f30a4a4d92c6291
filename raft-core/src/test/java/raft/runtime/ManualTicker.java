package raft.runtime;

/**
 * A clock turned by hand: each {@link #tick} is one Raft tick of the member it was given to,
 * once the member has started it and until it stops it (as the real one, which a stopped
 * member no longer hears).
 */
final class ManualTicker implements Ticker {
  private volatile Runnable tick;
  private volatile boolean stopped;

  @Override
  public void start(Runnable tick) {
    this.tick = tick;
  }

  @Override
  public void stop() {
    stopped = true;
  }

  boolean stopped() {
    return stopped;
  }

  void tick() {
    Runnable t = tick;
    if (t != null && !stopped) {
      t.run();
    }
  }
}
