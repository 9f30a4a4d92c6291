package raft.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import raft.pb.ConfState;
import raft.pb.Entry;
import raft.pb.Snapshot;
import raft.pb.SnapshotMetadata;

import static raft.TestLogs.e;
import static raft.TestLogs.ents;
import static raft.TestLogs.stored;

class RaftLogTest {

  static RaftLog log(MemoryStorage s) {
    return new RaftLog(s, Long.MAX_VALUE);
  }

  /** The terms of entries firstIndex..lastIndex, to compare whole logs at a glance. */
  static List<Long> terms(RaftLog l) {
    return l.allEntries().stream().map(Entry::getTerm).toList();
  }

  static List<Long> indexes(List<Entry> es) {
    return es.stream().map(Entry::getIndex).toList();
  }

  static Snapshot snap(long index, long term) {
    return Snapshot.newBuilder().setMetadata(SnapshotMetadata.newBuilder().setIndex(index)
        .setTerm(term).setConfState(ConfState.newBuilder().addVoters(1))).build();
  }

  /** Persists the unstable tail the way the runtime does after a Ready. */
  static void persist(MemoryStorage s, RaftLog l) {
    List<Entry> u = l.unstableEntries();
    s.append(u);
    Entry last = u.get(u.size() - 1);
    l.stableTo(last.getIndex(), last.getTerm());
  }

  @Test
  @DisplayName("§7: a log over compacted storage starts committed and applied at the snapshot")
  void startsFromCompactedStorage() {
    MemoryStorage s = stored(1, 1, 2, 2, 3);
    s.createSnapshot(3, ConfState.getDefaultInstance(), ByteString.EMPTY);
    s.compact(3);
    RaftLog l = log(s);
    assertEquals(4, l.firstIndex());
    assertEquals(5, l.lastIndex());
    assertEquals(3, l.commitIndex());
    assertEquals(3, l.lastApplied());
    assertEquals(2, l.term(3)); // the dummy still answers for firstIndex - 1
    assertEquals(0, l.term(2)); // compacted away
    assertEquals(0, l.term(6)); // not there yet
    assertEquals(3, l.lastTerm());
  }

  @Nested
  @DisplayName("maybeAppend (follower side of AppendEntries)")
  class MaybeAppend {
    // Persisted log: index:term = 1:1 2:2 3:3.
    final MemoryStorage s = stored(1, 2, 3);
    final RaftLog l = log(s);

    @Test
    @DisplayName("§5.3: reject when the log has no entry at prevLogIndex with prevLogTerm")
    void consistencyCheck() {
      assertEquals(-1, l.maybeAppend(3, 2, 3, ents(4, 3)));  // wrong term at 3
      assertEquals(-1, l.maybeAppend(4, 3, 3, ents(5, 3)));  // no entry at 4
      assertEquals(-1, l.maybeAppend(0, 1, 3, ents(1, 1)));  // index 0 has term 0
      assertEquals(List.of(1L, 2L, 3L), terms(l));
      assertEquals(0, l.commitIndex(), "a rejected append must not advance commitIndex");
      assertFalse(l.hasUnstableEntries());
    }

    @Test
    @DisplayName("§5.3: append the entries that follow a matching prevLogIndex")
    void appendsAfterMatch() {
      assertEquals(5, l.maybeAppend(3, 3, 3, ents(4, 3, 3)));
      assertEquals(List.of(1L, 2L, 3L, 3L, 3L), terms(l));
      assertEquals(List.of(4L, 5L), indexes(l.unstableEntries()));
      assertEquals(3, l.commitIndex());
    }

    @Test
    @DisplayName("§5.3: an empty log accepts entries after prevLogIndex 0, prevLogTerm 0")
    void appendsToEmptyLog() {
      RaftLog empty = log(new MemoryStorage());
      assertEquals(2, empty.maybeAppend(0, 0, 0, ents(1, 1, 1)));
      assertEquals(List.of(1L, 1L), terms(empty));
    }

    @Test
    @DisplayName("§5.3: commitIndex = min(leaderCommit, index of last new entry)")
    void commitIsMinOfLeaderCommitAndLastNew() {
      assertEquals(4, l.maybeAppend(3, 3, 10, ents(4, 3)));
      assertEquals(4, l.commitIndex());
    }

    @Test
    @DisplayName("§5.3: an append verifying only a prefix commits no further than that prefix")
    void commitStopsAtVerifiedPrefix() {
      // A heartbeat-like append at prevIndex 2 proves nothing about our entry 3.
      assertEquals(2, l.maybeAppend(2, 2, 3, List.of()));
      assertEquals(2, l.commitIndex());
      assertEquals(List.of(1L, 2L, 3L), terms(l));
    }

    @Test
    @DisplayName("§5.3: a stale duplicate AppendEntries does not truncate the log")
    void staleDuplicateDoesNotTruncate() {
      assertEquals(2, l.maybeAppend(1, 1, 0, ents(2, 2)));
      assertEquals(List.of(1L, 2L, 3L), terms(l));
      assertEquals(3, l.lastIndex());
      assertFalse(l.hasUnstableEntries(), "nothing new, so nothing to persist");
      // A full duplicate of the log is equally harmless.
      assertEquals(3, l.maybeAppend(0, 0, 0, ents(1, 1, 2, 3)));
      assertEquals(List.of(1L, 2L, 3L), terms(l));
      assertFalse(l.hasUnstableEntries());
    }

    @Test
    @DisplayName("§5.3: a stale append never moves commitIndex backwards")
    void staleAppendKeepsCommit() {
      l.commitTo(3);
      assertEquals(2, l.maybeAppend(1, 1, 1, ents(2, 2)));
      assertEquals(3, l.commitIndex());
    }

    @Test
    @DisplayName("§5.3: on a real conflict, delete the conflicting entry and all that follow it")
    void conflictTruncates() {
      assertEquals(2, l.maybeAppend(1, 1, 0, ents(2, 4)));
      assertEquals(List.of(1L, 4L), terms(l));
      assertEquals(2, l.lastIndex());
      assertEquals(0, l.term(3));
      assertEquals(List.of(2L), indexes(l.unstableEntries()));
      assertEquals(1, l.stableLastIndex(), "storage's entries 2 and 3 are stale now");
    }

    @Test
    @DisplayName("§5.3: only entries from the first conflict on are replaced")
    void conflictInTheMiddle() {
      assertEquals(4, l.maybeAppend(1, 1, 0, List.of(e(2, 2), e(3, 4), e(4, 4))));
      assertEquals(List.of(1L, 2L, 4L, 4L), terms(l));
      assertEquals(List.of(3L, 4L), indexes(l.unstableEntries()));
      assertEquals(2, l.stableLastIndex());
    }

    @Test
    @DisplayName("§5.3: entries already present are skipped, only new ones appended")
    void overlapThenExtend() {
      assertEquals(4, l.maybeAppend(1, 1, 0, List.of(e(2, 2), e(3, 3), e(4, 3))));
      assertEquals(List.of(1L, 2L, 3L, 3L), terms(l));
      assertEquals(List.of(4L), indexes(l.unstableEntries()));
    }

    @Test
    @DisplayName("§5.3: a conflict inside the unstable tail truncates the tail")
    void conflictInUnstable() {
      RaftLog u = log(new MemoryStorage());
      u.append(ents(1, 1, 1, 1));
      assertEquals(2, u.maybeAppend(1, 1, 0, ents(2, 2)));
      assertEquals(List.of(1L, 2L), terms(u));
      assertEquals(List.of(1L, 2L), indexes(u.unstableEntries()));
    }

    @Test
    @DisplayName("§5.4: a conflict with a committed entry is a safety violation and throws")
    void conflictWithCommittedThrows() {
      l.commitTo(2);
      assertThrows(IllegalStateException.class, () -> l.maybeAppend(1, 1, 2, ents(2, 5)));
      assertEquals(List.of(1L, 2L, 3L), terms(l));
      assertEquals(2, l.commitIndex());
    }

    @Test
    @DisplayName("§5.4: appending below commitIndex throws")
    void appendBelowCommitThrows() {
      l.commitTo(2);
      assertThrows(IllegalStateException.class, () -> l.append(ents(2, 5)));
      assertEquals(4, l.append(ents(3, 5, 5))); // replacing the uncommitted entry 3 is fine
      assertEquals(List.of(1L, 2L, 5L, 5L), terms(l));
    }

    @Test
    @DisplayName("commitTo never goes backwards and refuses to pass lastIndex")
    void commitToBounds() {
      l.commitTo(2);
      l.commitTo(1);
      assertEquals(2, l.commitIndex());
      assertThrows(IllegalStateException.class, () -> l.commitTo(4));
      assertEquals(2, l.commitIndex());
    }

    @Test
    @DisplayName("appliedTo stays within [lastApplied, commitIndex]")
    void appliedToBounds() {
      l.commitTo(2);
      l.appliedTo(1);
      assertEquals(1, l.lastApplied());
      assertThrows(IllegalStateException.class, () -> l.appliedTo(3));
      l.appliedTo(2);
      assertThrows(IllegalStateException.class, () -> l.appliedTo(1));
      l.appliedTo(0); // "nothing applied" is a no-op
      assertEquals(2, l.lastApplied());
    }
  }

  @Nested
  @DisplayName("findConflictByTerm (fast backtracking)")
  class FindConflictByTerm {
    // index:term = 1:1 2:2 3:2 4:4 5:4 6:5
    final RaftLog l = log(stored(1, 2, 2, 4, 4, 5));

    @ParameterizedTest(name = "({0}, {1}) -> index {2}, term {3}")
    @CsvSource({
        "6,5,6,5", "6,4,5,4", "6,3,3,2", "5,3,3,2", "4,2,3,2", "2,2,2,2",
        "6,1,1,1", "6,0,0,0", "9,4,5,4", "9,9,6,5", "0,7,0,0"})
    @DisplayName("§5.3 (fast backtracking): the largest index <= index whose term is <= term")
    void hint(long index, long term, long wantIndex, long wantTerm) {
      assertEquals(new ConflictHint(wantIndex, wantTerm), l.findConflictByTerm(index, term));
    }

    @Test
    @DisplayName("§5.3 (fast backtracking): the snapshot's index and term still answer")
    void atSnapshotBoundary() {
      MemoryStorage s = stored(1, 2, 2, 4, 4, 5);
      s.createSnapshot(3, ConfState.getDefaultInstance(), ByteString.EMPTY);
      s.compact(3);
      RaftLog c = log(s);
      assertEquals(new ConflictHint(5, 4), c.findConflictByTerm(6, 4));
      assertEquals(new ConflictHint(3, 2), c.findConflictByTerm(6, 3));
      // Nothing known has term <= 1: the answer is at or below the snapshot, term unknown (0).
      ConflictHint unknown = c.findConflictByTerm(6, 1);
      assertTrue(unknown.index() <= 3,
          "hint " + unknown.index() + " must not pass the snapshot index");
      assertEquals(0, unknown.term());
    }

    @Test
    @DisplayName("§5.3 (fast backtracking): a hint below the snapshot is not raised above index")
    void belowSnapshotIsNotRaised() {
      MemoryStorage s = stored(1, 2, 2, 4, 4, 5);
      s.createSnapshot(3, ConfState.getDefaultInstance(), ByteString.EMPTY);
      s.compact(3);
      RaftLog c = log(s);
      ConflictHint hint = c.findConflictByTerm(1, 1);
      assertTrue(hint.index() <= 1, "asked about index 1, got hint index " + hint.index());
      assertEquals(0, hint.term(), "the term at a compacted index is unknown");
    }
  }

  @ParameterizedTest(name = "candidate (index {0}, term {1}) up to date: {2}")
  @CsvSource({"3,3,true", "4,3,true", "2,3,false", "1,4,true", "10,2,false", "0,0,false",
      "3,2,false"})
  @DisplayName("§5.4.1: a later last term wins; with equal last terms the longer log wins")
  void isUpToDate(long lastIndex, long lastTerm, boolean want) {
    RaftLog l = log(stored(1, 2, 3)); // last entry: index 3, term 3
    assertEquals(want, l.isUpToDate(lastIndex, lastTerm));
  }

  @Test
  @DisplayName("§5.4.1: any log is at least as up to date as an empty one")
  void emptyLogIsUpToDateWithAnything() {
    RaftLog l = log(new MemoryStorage());
    assertTrue(l.isUpToDate(0, 0));
    assertTrue(l.isUpToDate(1, 1));
  }

  @Nested
  @DisplayName("maybeCommit")
  class MaybeCommit {
    // index:term = 1:1 2:1 3:2; the leader's current term is 2.
    final RaftLog l = log(stored(1, 1, 2));

    @Test
    @DisplayName("§5.4.2: an entry from an earlier term is not committed by counting replicas")
    void previousTermNotCommitted() {
      assertFalse(l.maybeCommit(2, 2));
      assertEquals(0, l.commitIndex());
    }

    @Test
    @DisplayName("§5.4.2: committing a current-term entry commits the earlier ones indirectly")
    void currentTermCommits() {
      assertTrue(l.maybeCommit(3, 2));
      assertEquals(3, l.commitIndex());
      assertFalse(l.maybeCommit(3, 2), "already committed");
      assertFalse(l.maybeCommit(2, 1), "commitIndex never goes backwards");
      assertEquals(3, l.commitIndex());
    }

    @Test
    @DisplayName("§5.4.2: nothing beyond lastIndex or with another term is committed")
    void outOfRangeOrWrongTerm() {
      assertFalse(l.maybeCommit(4, 2));
      assertFalse(l.maybeCommit(3, 3));
      assertEquals(0, l.commitIndex());
    }
  }
}
