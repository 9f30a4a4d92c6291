package raft.kv.mvcc;

import java.util.List;
import raft.kv.api.mvccpb.Event;

/** The events of one revision, in write order (all writes of a txn share one revision). */
public record RevisionEvents(long revision, List<Event> events) {
  public RevisionEvents {
    events = List.copyOf(events);
  }
}
