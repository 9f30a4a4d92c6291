package raft.kv.server;

import java.util.ArrayDeque;

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
 * <p>Threading: one timer thread.
 */
final class AutoCompactor {
  private record Note(long millis, long revision) {}

  private final AutoCompaction config;
  private final ArrayDeque<Note> notes = new ArrayDeque<>();
  private long proposedUpTo;

  AutoCompactor(AutoCompaction config) {
    this.config = config;
  }

  /**
   * The revision to compact to now, or 0 for none. A target is proposed once: if its entry is
   * lost (a leader change), the next one, a step later, covers it.
   *
   * @param nowMillis a monotonic clock, in milliseconds
   */
  long due(long nowMillis, long currentRevision, long compactRevision) {
    if (config.off()) {
      return 0;
    }
    long target = config.mode() == AutoCompaction.Mode.REVISION
        ? byRevision(currentRevision, compactRevision) : byTime(nowMillis, currentRevision);
    if (target <= Math.max(compactRevision, proposedUpTo)) {
      return 0;
    }
    proposedUpTo = target;
    return target;
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
