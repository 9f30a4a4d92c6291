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
   * The events of one revision that match the watcher, in write order; never empty.
   *
   * @return false to refuse them (nothing was sent): the watcher becomes slow, needing this
   *     revision next, and its owner must call {@link WatchHub.Watcher#resume} once the sink
   *     can take events again
   */
  boolean events(long revision, List<Event> events);

  /** History from the revision the watcher needs is gone; the watcher has ended. */
  void compacted(long compactRevision);
}
