package raft.core;

import java.util.List;
import raft.pb.Entry;
import raft.pb.HardState;
import raft.pb.Message;
import raft.pb.Snapshot;

/**
 * What the protocol asks the runtime to do, in this order:
 * <ol>
 *   <li>Persist {@link #snapshot} (if any), then {@link #entries} (appending, replacing any
 *       existing entries from the first one's index on), then {@link #hardState} (if not null).
 *       When {@link #mustSync} is true these writes must be durable (fsync) before step 2:
 *       Figure 2, "respond to RPCs only after updating stable storage".</li>
 *   <li>Send {@link #messages}. The transport may drop or reorder them; Raft tolerates that.</li>
 *   <li>Apply {@link #committedEntries} to the state machine in order, and serve
 *       {@link #readStates} once the applied index reaches theirs. The committed entries are
 *       already persisted (a Ready never offers one that is not), so a runtime may start
 *       applying them before step 1 finishes.</li>
 *   <li>Call {@code RaftNode.advance(ready)} with this very object before asking for the next
 *       Ready.</li>
 * </ol>
 *
 * @param softState null if the leader and role did not change
 * @param hardState null if term, vote and commit did not change
 * @param snapshot null unless a snapshot from the leader must be installed
 */
public record Ready(
    SoftState softState,
    HardState hardState,
    List<ReadState> readStates,
    List<Entry> entries,
    Snapshot snapshot,
    List<Entry> committedEntries,
    List<Message> messages,
    boolean mustSync) {

  public boolean isEmpty() {
    return softState == null && hardState == null && readStates.isEmpty() && entries.isEmpty()
        && snapshot == null && committedEntries.isEmpty() && messages.isEmpty();
  }
}
