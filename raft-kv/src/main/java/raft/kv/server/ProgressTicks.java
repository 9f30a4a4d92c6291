package raft.kv.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * etcd 3.4's {@code serverWatchStream.progress}: which of a stream's watchers created with
 * progress_notify hear the next progress tick. A watcher that was sent events since the last
 * tick skips it (its client already knows a recent revision); every tick makes all of them
 * due again for the next one. Thread-safe: ticks come from a timer, events from the apply and
 * catch-up threads.
 */
final class ProgressTicks {
  // Watch id -> no events sent since the last tick.
  private final Map<Long, Boolean> idle = new ConcurrentHashMap<>();

  /** A watcher created with progress_notify: due at the next tick. */
  void add(long id) {
    idle.put(id, true);
  }

  void remove(long id) {
    idle.remove(id);
  }

  /** Events went to {@code id}: it skips the next tick (nothing if it asked for no progress). */
  void sent(long id) {
    idle.replace(id, false);
  }

  /** The watchers due a notification at this tick; all are due at the next one. */
  List<Long> tick() {
    List<Long> due = new ArrayList<>();
    for (Long id : idle.keySet()) {
      if (Boolean.TRUE.equals(idle.replace(id, true))) {
        due.add(id);
      }
    }
    return due;
  }
}
