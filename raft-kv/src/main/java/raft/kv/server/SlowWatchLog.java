package raft.kv.server;

import java.util.function.Consumer;
import raft.kv.watch.WatchHub;
import raft.kv.watch.WatchHub.SlowReport;

/**
 * Says in the log, at most once a period and only when something changed, how many watchers
 * fell behind their clients and how many caught up: one line per period, never one per event,
 * however many watchers or events there are.
 */
final class SlowWatchLog {
  private final WatchHub hub;
  private final Consumer<String> log;
  private SlowReport last;

  SlowWatchLog(WatchHub hub, Consumer<String> log) {
    this.hub = hub;
    this.log = log;
    this.last = hub.slowReport();
  }

  /** Called by a timer, one period after the previous call. */
  synchronized void report() {
    SlowReport now = hub.slowReport();
    long fell = now.movedToSlow() - last.movedToSlow();
    long caught = now.caughtUp() - last.caughtUp();
    last = now;
    if (fell > 0) {
      log.accept("watch: " + fell + " watcher(s) fell behind because their clients are not"
          + " reading; their events are no longer sent or buffered, and each will be caught up"
          + " from the store's history once its client reads again (" + slowNow(now) + ")");
    }
    if (caught > 0) {
      log.accept("watch: " + caught + " slow watcher(s) caught up from history and get events"
          + " live again (" + slowNow(now) + ")");
    }
  }

  private static String slowNow(SlowReport r) {
    if (r.slow() == 0) {
      return "no watcher is behind now";
    }
    return r.slow() + " behind now; the furthest behind needs revision " + r.oldestNeeded()
        + ", the store is at " + r.currentRevision();
  }
}
