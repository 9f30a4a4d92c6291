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
 */
final class SpaceQuota {
  private final long quotaBytes;
  private final MvccStore store;
  private final Alarms alarms;

  SpaceQuota(long quotaBytes, MvccStore store, Alarms alarms) {
    this.quotaBytes = quotaBytes;
    this.store = store;
    this.alarms = alarms;
  }

  /** Whether the store can take what the request may add; deletes and reads always can. */
  boolean admits(InternalRequest r) {
    long cost = Sizes.of(r);
    return cost == 0 || store.sizeBytes() + cost <= quotaBytes;
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
