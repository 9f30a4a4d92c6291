package raft.kv.mvcc;

import java.util.List;
import raft.kv.api.mvccpb.Event;

/**
 * Told about every revision the store commits, with all of its events (in write order, each
 * carrying prev_kv when the key existed before). Called on the writing (apply) thread right after
 * the write, outside the store's lock, once per revision in revision order. Must not block.
 */
public interface RevisionListener {
  void committed(long revision, List<Event> events);
}
