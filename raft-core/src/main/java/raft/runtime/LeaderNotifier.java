package raft.runtime;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import raft.core.RaftNode;
import raft.core.SoftState;
import raft.runtime.NodeRuntime.LeaderListener;

/** Tells the {@link LeaderListener}s, on the Raft loop, when the known leader or term changes. */
final class LeaderNotifier {
  private final long id;
  private final Consumer<String> log;
  private final RaftNode node;
  private final List<LeaderListener> listeners = new CopyOnWriteArrayList<>();
  // Loop-owned: the last (lead, term) told to listeners.
  private long notifiedLead = -1;
  private long notifiedTerm = -1;

  LeaderNotifier(long id, Consumer<String> log, RaftNode node) {
    this.id = id;
    this.log = log;
    this.node = node;
  }

  void add(LeaderListener l) {
    listeners.add(l);
  }

  /** On the Raft loop: the role or the leader changed. */
  void softState(SoftState s) {
    long term = node.raft().term();
    if (s.lead() == notifiedLead && term == notifiedTerm) {
      return;
    }
    notifiedLead = s.lead();
    notifiedTerm = term;
    for (LeaderListener l : listeners) {
      try {
        l.leaderChanged(s.lead(), term, s.lead() == id);
      } catch (RuntimeException e) {
        log.accept("member " + id + ": a leader listener failed: " + e);
      }
    }
  }
}
