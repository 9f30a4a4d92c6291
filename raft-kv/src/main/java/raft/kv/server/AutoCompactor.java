package raft.kv.server;

/**
 * etcd's {@code --auto-compaction-mode=revision}: the leader keeps the last {@code retention}
 * revisions of history and proposes a compaction of the rest, as an ordinary log entry, so
 * every member compacts at the same point of the log. It compacts in steps of a tenth of the
 * retention, not after every write.
 *
 * <p>Threading: one timer thread.
 */
final class AutoCompactor {
  private final long retention;
  private long proposedUpTo;

  /** @param retention revisions to keep; 0 or less turns compaction off */
  AutoCompactor(long retention) {
    this.retention = retention;
  }

  /**
   * The revision to compact to now, or 0 for none. A target is proposed once: if its entry is
   * lost (a leader change), the next one, a step later, covers it.
   */
  long due(long currentRevision, long compactRevision) {
    if (retention <= 0) {
      return 0;
    }
    long target = currentRevision - retention;
    long step = Math.max(1, retention / 10);
    if (target - Math.max(compactRevision, proposedUpTo) < step) {
      return 0;
    }
    proposedUpTo = target;
    return target;
  }
}
