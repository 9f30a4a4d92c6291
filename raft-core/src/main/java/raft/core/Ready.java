package raft.core;

import java.util.List;
import raft.pb.Entry;
import raft.pb.HardState;
import raft.pb.Message;
import raft.pb.Snapshot;

/**
 * What the protocol asks the runtime to do. {@link ReadyPipeline} is the one place that
 * carries it out, for real members and for the simulator alike:
 * <ol>
 *   <li>Send {@link #messages} at once: they promise nothing about this member's disk, so a
 *       leader's appends travel while its own write is in flight (thesis §10.2.1). The
 *       transport may drop or reorder them; Raft tolerates that.</li>
 *   <li>Write {@link #snapshot} (if any), then {@link #entries} (appending, replacing any
 *       existing entries from the first one's index on), then {@link #hardState} (if not
 *       null), after every earlier Ready's writes; durably (fsync) when {@link #mustSync}.</li>
 *   <li>Once those writes (and every earlier one) are durable: send {@link #afterPersist} (the
 *       acknowledgements and votes, Figure 2: "respond to RPCs only after updating stable
 *       storage") and call {@code RaftNode.persisted(ready)}, which lets a leader count itself
 *       and a candidate its own vote. A {@link #snapshot} is applied then too.</li>
 *   <li>Apply {@link #committedEntries} in order, and serve {@link #readStates} once the
 *       applied index reaches theirs. They are durable already (a Ready never offers one that
 *       is not), so applying may start at once, while step 2 runs.</li>
 *   <li>Call {@code RaftNode.advance(ready)} once this Ready is handed over (sent, queued for
 *       writing and applying), before asking for the next one. The next Ready may come while
 *       this one's writes are still in flight.</li>
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
    List<Message> afterPersist,
    boolean mustSync) {

  public boolean isEmpty() {
    return softState == null && hardState == null && readStates.isEmpty() && entries.isEmpty()
        && snapshot == null && committedEntries.isEmpty() && messages.isEmpty()
        && afterPersist.isEmpty();
  }

  /** Whether storage has anything to do: a write, or a barrier for {@link #afterPersist}. */
  public boolean needsStorage() {
    return snapshot != null || !entries.isEmpty() || hardState != null || !afterPersist.isEmpty();
  }
}
