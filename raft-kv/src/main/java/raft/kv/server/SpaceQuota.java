package raft.kv.server;

import raft.kv.api.etcdserverpb.AlarmType;
import raft.kv.apply.Alarms;
import raft.kv.mvcc.MvccStore;
import raft.kv.mvcc.Sizes;
import raft.kv.pb.InternalRequest;

/**
 * etcd's space quota, checked where a write comes in, before it is proposed: a write that would
 * take the store past the quota is refused with NOSPACE, and this member raises the NOSPACE
 * alarm (through the log) so that every member refuses writes that add data until an operator
 * deletes, compacts and disarms. Writes already in flight when the quota is reached still land,
 * so the store may pass the quota by what they carry.
 *
 * <p>With auto-compaction on, the leader compacts history by size long before the quota (see
 * AutoCompactor): so history that compaction is about to free does not count here, and only
 * live data that fills the quota trips the alarm. That is, the store is charged its live data
 * and at most the history the size rule keeps (half of what the live data leaves of the
 * quota); should compaction lag behind a fast writer, a ceiling of a quarter over the quota
 * still bounds the heap, refusing writes (etcd's error) without the alarm until the leader's
 * compaction catches up: the alarm would stop that compaction (see AutoCompactor.due) and
 * need an operator for a store that frees itself.
 */
final class SpaceQuota {
  private final long quotaBytes;
  private final MvccStore store;
  private final Alarms alarms;
  private final boolean compactsBySize;

  /** @param compactsBySize whether the leader compacts history by size (auto-compaction on) */
  SpaceQuota(long quotaBytes, MvccStore store, Alarms alarms, boolean compactsBySize) {
    this.quotaBytes = quotaBytes;
    this.store = store;
    this.alarms = alarms;
    this.compactsBySize = compactsBySize;
  }

  /** Whether the store can take what the request may add; deletes and reads always can. */
  boolean admits(InternalRequest r) {
    long cost = Sizes.of(r);
    long size = store.sizeBytes();
    if (cost == 0 || size + cost <= quotaBytes) {
      return true;
    }
    return compactsBySize && size + cost <= quotaBytes + quotaBytes / 4 && !fullOfLiveData(cost);
  }

  /** Whether refusing {@code r} should raise the alarm: not if compaction will make room. */
  boolean raisesAlarm(InternalRequest r) {
    return !compactsBySize || fullOfLiveData(Sizes.of(r));
  }

  private boolean fullOfLiveData(long cost) {
    long live = store.liveBytes();
    long keptHistory = Math.min(store.sizeBytes() - live, Math.max(0, quotaBytes - live) / 2);
    return live + keptHistory + cost > quotaBytes;
  }

  /**
   * Whether the NOSPACE alarm is raised, by any member, as far as this one has applied. etcd
   * has each member raise its own; the store's size is the same on every member here, so one
   * alarm says it all.
   */
  boolean noSpaceRaised() {
    return alarms.isRaised(AlarmType.NOSPACE);
  }

  long storeBytes() {
    return store.sizeBytes();
  }

  long quotaBytes() {
    return quotaBytes;
  }
}
