package raft.kv.watch;

import java.util.List;
import raft.kv.api.mvccpb.Event;

/**
 * Where a watcher's events go (typically a gRPC watch stream).
 *
 * <p>Threading: calls for one watcher never overlap and come in revision order. The replay of
 * history comes on the thread that called {@link WatchHub#watch}; live events come on the apply
 * thread. Must not block: the apply thread (and so every write) waits for it. gRPC's
 * {@code StreamObserver.onNext} buffers and is fine; a sink that throws is cancelled.
 */
public interface WatchSink {
  /** The events of one revision that match the watcher, in write order; never empty. */
  void events(long revision, List<Event> events);

  /** History from the start revision is gone; the watcher has ended. */
  void compacted(long compactRevision);
}
