package raft.kv.http;

import java.util.concurrent.atomic.LongAdder;
import raft.runtime.NodeRuntime;

/**
 * etcd's leader_changes_seen_total: counts each time this member learns of a leader other than
 * the one it knew last, losing the leader in between included (so A, none, A counts twice, as
 * etcd's raft loop does: it compares with the last lead, which "none" replaced).
 */
public final class LeaderChanges implements NodeRuntime.LeaderListener {
  private final LongAdder seen = new LongAdder();
  private long last; // the Raft loop's

  @Override
  public void leaderChanged(long lead, long term, boolean isSelf) {
    if (lead != 0 && lead != last) {
      seen.increment();
    }
    last = lead;
  }

  public long seen() {
    return seen.sum();
  }
}
