package raft.kv.watch;

import java.util.List;
import raft.kv.api.mvccpb.Event;

/**
 * Where a watcher's events go (typically a gRPC watch stream).
 *
 * <p>Threading: calls for one watcher never overlap and come in revision order, always with
 * the hub's monitor held. Live events come on the apply thread; catch-up from history comes on
 * the hub's catch-up executor. Must not block: the apply thread (and so every write) waits for
 * it. A sink whose client is not keeping up refuses events instead of buffering them; a sink
 * that throws is cancelled.
 */
public interface WatchSink {
  /**
   * Events that match the watcher, in revision and write order; never empty. Live: the events
   * of one revision, and {@code headerRevision} is that revision. Catch-up (a watch from a past
   * revision, or one that fell behind): the events of up to {@link WatchHub#BATCH_REVISIONS}
   * revisions, and {@code headerRevision} is the last revision delivered to watchers when the
   * batch was read (etcd's current revision at sync time), at or above every event's revision.
   *
   * @return false to refuse them (nothing was sent): the watcher becomes slow, needing this
   *     revisions next, and its owner must call {@link WatchHub.Watcher#resume} once the sink
   *     can take events again
   */
  boolean events(long headerRevision, List<Event> events);

  /** History from the revision the watcher needs is gone; the watcher has ended. */
  void compacted(long compactRevision);
}
