package raft.kv.server;

import java.util.ArrayDeque;
import raft.kv.mvcc.MvccStore;

/**
 * etcd's auto-compaction, run by the leader: it proposes a compaction of old history as an
 * ordinary log entry, so every member compacts at the same point of the log.
 *
 * <ul>
 *   <li>{@code revision} mode keeps the last {@code revisions} revisions, compacting in steps of
 *       a tenth of that, not after every write.
 *   <li>{@code periodic} mode keeps what was written in the last {@code period}: every tenth of
 *       the period the leader notes the current revision, and compacts to the newest note that
 *       is a whole period old. A member that just became leader has no notes yet, so it waits
 *       a period before its first compaction, as etcd's does.
 * </ul>
 *
 * <p>Beside either mode, and whatever its retention, the leader also compacts by size when
 * there is a space quota, so that history alone never fills it (see {@link #bySize}): the
 * retention is what is kept while it fits. Only a retention of 0 (keep everything) turns this
 * off too, as it turns off etcd's auto-compaction; the quota's alarm then stops the writes.
 *
 * <p>Threading: one timer thread.
 */
final class AutoCompactor {
  private record Note(long millis, long revision) {}

  private final AutoCompaction config;
  private final long quotaBytes;
  private final ArrayDeque<Note> notes = new ArrayDeque<>();
  private long proposedUpTo;
  private String reason = "";

  /** @param quotaBytes the space quota, Long.MAX_VALUE for none */
  AutoCompactor(AutoCompaction config, long quotaBytes) {
    this.config = config;
    this.quotaBytes = quotaBytes;
  }

  /**
   * The revision to compact to now, by retention or by size, whichever compacts more; 0 for
   * none. A target is proposed once: if its entry is lost (a leader change), the next one, a
   * step later, covers it.
   *
   * @param nowMillis a monotonic clock, in milliseconds
   * @param noSpace whether the NOSPACE alarm is raised: live data filled the quota, and the
   *     operator's way out (delete, compact at the revision they read, disarm) is under way, so
   *     the size rule leaves the compaction to them rather than race them to that revision
   */
  long due(long nowMillis, MvccStore store, boolean noSpace) {
    long compactRevision = store.compactRevision();
    long byRetention = byRetention(nowMillis, store.currentRevision(), compactRevision);
    long bySize = noSpace ? 0 : bySize(store);
    long target = once(Math.max(byRetention, bySize), compactRevision);
    if (target > 0) {
      reason = bySize > byRetention ? "history " + kib(store.sizeBytes() - store.liveBytes())
          + " KiB of a " + kib(quotaBytes) + " KiB quota beside " + kib(store.liveBytes())
          + " KiB of live data" : "keeping " + config.retained();
    }
    return target;
  }

  /** The retention's part of {@link #due} alone. */
  long due(long nowMillis, long currentRevision, long compactRevision) {
    return once(byRetention(nowMillis, currentRevision, compactRevision), compactRevision);
  }

  /** Why the last target {@link #due} returned was chosen, for the log line. */
  String reason() {
    return reason;
  }

  private long once(long target, long compactRevision) {
    if (target <= Math.max(compactRevision, proposedUpTo)) {
      return 0;
    }
    proposedUpTo = target;
    return target;
  }

  private long byRetention(long nowMillis, long currentRevision, long compactRevision) {
    if (config.off()) {
      return 0;
    }
    return config.mode() == AutoCompaction.Mode.REVISION
        ? byRevision(currentRevision, compactRevision) : byTime(nowMillis, currentRevision);
  }

  /**
   * Size: the room for history is what the live data (each key's current value, which no
   * compaction frees) leaves of the quota. When history takes more than half of that room, the
   * leader compacts back to a quarter of it, keeping the newest history.
   *
   * <ul>
   *   <li>Half: the store then stays under (quota + live) / 2, below the quota as long as the
   *       live data fits it; the other half of the room takes the writes made between two
   *       checks and before the compaction entry commits, so the quota's alarm is left to
   *       live data that really fills it.
   *   <li>A quarter: a compaction walks every key on every member, so it should free a good
   *       share at a time; the next one comes after another quarter of the room is written.
   *       Keeping history rather than compacting to the current revision serves watchers and
   *       reads of recent revisions, as the retention does.
   * </ul>
   *
   * With the default quota (3/8 of a 256 MB heap) and little live data, history is kept to
   * about 48 MB and cut to 24: overwriting 1,000 keys with 2 KiB values keeps some 10,000
   * revisions instead of the 100,000 that would pass the quota. A floor of a 1/1024-th of the
   * quota keeps a store whose live data fills the quota from compacting at every check.
   */
  private long bySize(MvccStore store) {
    if (config.off() || quotaBytes == Long.MAX_VALUE) {
      return 0;
    }
    long live = store.liveBytes();
    long history = store.sizeBytes() - live;
    long room = Math.max(0, quotaBytes - live);
    if (history <= Math.max(room / 2, quotaBytes / 1024)) {
      return 0;
    }
    return store.compactionRevisionKeeping(room / 4);
  }

  private static long kib(long bytes) {
    return bytes / 1024;
  }

  private long byRevision(long currentRevision, long compactRevision) {
    long target = currentRevision - config.revisions();
    long step = Math.max(1, config.revisions() / 10);
    return target - Math.max(compactRevision, proposedUpTo) < step ? 0 : target;
  }

  private long byTime(long nowMillis, long currentRevision) {
    long period = config.period().toMillis();
    if (notes.isEmpty() || nowMillis - notes.peekLast().millis() >= period / 10) {
      notes.addLast(new Note(nowMillis, currentRevision));
    }
    long target = 0;
    while (!notes.isEmpty() && nowMillis - notes.peekFirst().millis() >= period) {
      target = notes.pollFirst().revision();
    }
    return target;
  }
}
