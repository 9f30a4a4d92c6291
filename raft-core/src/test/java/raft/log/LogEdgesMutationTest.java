package raft.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.TestLogs.e;
import static raft.TestLogs.ents;
import static raft.TestLogs.stored;

import com.google.protobuf.ByteString;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.pb.ConfState;
import raft.pb.Entry;
import raft.pb.Snapshot;
import raft.pb.SnapshotMetadata;

/**
 * The log's edges: empty appends, reads past the end, the compacted boundary of the conflict
 * hint, the unstable tail's snapshot and truncation, and the storage's error reports. Written
 * against mutants of RaftLog, Unstable and MemoryStorage that survived the other tests.
 */
class LogEdgesMutationTest {

  private static RaftLog log(MemoryStorage s) {
    return new RaftLog(s, Long.MAX_VALUE);
  }

  /** Storage with entries 1..n of these terms, compacted up to (and including) {@code at}. */
  private static MemoryStorage compacted(long at, long... terms) {
    MemoryStorage s = stored(terms);
    s.createSnapshot(at, ConfState.getDefaultInstance(), ByteString.EMPTY);
    s.compact(at);
    return s;
  }

  private static Snapshot snap(long index, long term) {
    return Snapshot.newBuilder().setMetadata(SnapshotMetadata.newBuilder().setIndex(index)
        .setTerm(term)).build();
  }

  @Test
  @DisplayName("§5.3: appending nothing changes nothing and reports the last index")
  void emptyAppend() {
    RaftLog l = log(stored(1, 1));
    assertEquals(2, l.append(List.of()));
    assertFalse(l.hasUnstableEntries());
    l.append(ents(3, 1));
    assertTrue(l.hasUnstableEntries());
  }

  @Test
  @DisplayName("§5.3: the log describes itself by its indexes (status lines and traces)")
  void describesItself() {
    RaftLog l = log(stored(1, 1));
    l.append(ents(3, 2));
    l.commitTo(2);
    assertEquals("RaftLog{first=1 last=3 commit=2 applied=0 unstable=3}", l.toString());
  }

  @Test
  @DisplayName("§5.3: reading from past the end of the log yields no entries")
  void entriesPastTheEnd() {
    RaftLog l = log(stored(1, 1));
    assertEquals(List.of(), l.entries(3, Long.MAX_VALUE));
    assertEquals(List.of(), l.entries(9, Long.MAX_VALUE));
  }

  @Test
  @DisplayName("§5.3: no entry outside the log matches, whatever term is asked for")
  void matchTermOutsideTheLog() {
    RaftLog l = log(compacted(2, 1, 1, 1));
    assertFalse(l.matchTerm(4, 0), "past the end");
    assertFalse(l.matchTerm(1, 0), "compacted away");
    assertTrue(l.matchTerm(2, 1), "the snapshot's last entry");
  }

  @Test
  @DisplayName("§5.3 fast backtracking: at the compacted boundary the hint is the snapshot's "
      + "last entry with its term, and never goes below it")
  void conflictHintAtCompactedBoundary() {
    RaftLog l = log(compacted(5, 3, 3, 3, 3, 3, 3, 3));
    assertEquals(new ConflictHint(5, 3), l.findConflictByTerm(5, 3));
    assertEquals(new ConflictHint(5, 0), l.findConflictByTerm(7, 2),
        "every entry we know has a higher term: the hint stops at the boundary");
    assertEquals(new ConflictHint(3, 0), l.findConflictByTerm(3, 9), "compacted: term unknown");
  }

  @Test
  @DisplayName("§5.3: a single committed entry not yet applied is offered to the state machine")
  void oneCommittedEntryIsOffered() {
    RaftLog l = log(stored(1, 1, 1));
    l.commitTo(3);
    l.appliedTo(2);
    assertTrue(l.hasNextCommittedEntries());
    assertEquals(List.of(e(3, 1)), l.nextCommittedEntries());
    l.appliedTo(3);
    assertFalse(l.hasNextCommittedEntries());
  }

  @Test
  @DisplayName("§5.3: a conflict at the commit index itself is refused (committed entries never "
      + "change)")
  void conflictAtCommitIndexIsRefused() {
    RaftLog l = log(stored(1, 1, 1));
    l.commitTo(3);
    assertThrows(IllegalStateException.class, () -> l.maybeAppend(2, 1, 3, List.of(e(3, 2))));
    assertEquals(1, l.term(3));
  }

  @Test
  @DisplayName("§5.3: a slice that lies wholly in the unstable tail, past the stored part")
  void sliceWithinUnstableTail() {
    RaftLog l = log(stored(1, 1));
    l.append(ents(3, 2, 2, 2));
    assertEquals(ents(4, 2, 2), l.slice(4, 6, Long.MAX_VALUE));
  }

  @Test
  @DisplayName("§5.3: an append that starts before the unstable tail replaces the whole tail")
  void appendBeforeUnstableTailReplacesIt() {
    RaftLog l = log(stored(1, 1, 1));
    l.append(ents(4, 1, 1));
    l.append(ents(3, 2));
    assertEquals(3, l.lastIndex());
    assertEquals(2, l.term(3));
    assertEquals(List.of(e(3, 2)), l.unstableEntries());
  }

  @Test
  @DisplayName("§7: a pending snapshot stays pending until that very snapshot is persisted")
  void pendingSnapshotStaysUntilPersisted() {
    RaftLog l = log(stored(1, 1));
    l.restore(snap(5, 2));
    l.stableSnapTo(3);
    assertNotNull(l.unstableSnapshot(), "another snapshot was persisted, not this one");
    l.stableTo(5, 2); // the snapshot's own last entry is not an unstable entry
    assertEquals(5, l.lastIndex());
    l.stableSnapTo(5);
    assertNull(l.unstableSnapshot());
  }

  @Test
  @DisplayName("§5.3: the unstable tail refuses a slice outside itself")
  void unstableSliceOutOfBounds() {
    Unstable u = new Unstable(3);
    u.truncateAndAppend(ents(3, 1, 1));
    assertEquals("unstable.slice[2,4) out of bound [3,5]",
        assertThrows(IllegalStateException.class, () -> u.slice(2, 4)).getMessage());
    assertThrows(IllegalStateException.class, () -> u.slice(3, 6));
    assertEquals(ents(3, 1, 1), u.slice(3, 5));
  }

  @Test
  @DisplayName("§7: compacting twice keeps the entries after the second point")
  void compactTwice() {
    MemoryStorage s = stored(1, 1, 2, 2, 3, 3);
    s.compact(2);
    s.compact(4);
    assertEquals(5, s.firstIndex());
    assertEquals(2, s.term(4));
    assertEquals(List.<Entry>of(e(5, 3), e(6, 3)), s.entries(5, 7, Long.MAX_VALUE));
  }

  @Test
  @DisplayName("§7: storage reports where the log starts and ends when asked outside it")
  void storageErrorsSayWhere() {
    MemoryStorage s = compacted(2, 1, 1, 1, 1);
    assertEquals("requested index 2 is compacted (first index is 3)",
        assertThrows(Storage.CompactedException.class, () -> s.entries(2, 4, 100)).getMessage());
    assertEquals("requested index 5 is unavailable (last index is 4)",
        assertThrows(Storage.UnavailableException.class, () -> s.entries(3, 6, 100))
            .getMessage());
    assertEquals("requested index 1 is compacted (first index is 3)",
        assertThrows(Storage.CompactedException.class, () -> s.term(1)).getMessage());
  }
}
