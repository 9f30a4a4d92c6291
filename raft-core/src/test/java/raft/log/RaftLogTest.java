package raft.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import raft.pb.ConfState;
import raft.pb.Entry;
import raft.pb.Snapshot;
import raft.pb.SnapshotMetadata;
import raft.storage.MemoryStorage;
import raft.storage.Storage;

class RaftLogTest {

  static Entry e(long index, long term) {
    return Entry.newBuilder().setIndex(index).setTerm(term).build();
  }

  /** Consecutive entries starting at {@code first}, with the given terms. */
  static List<Entry> ents(long first, long... terms) {
    List<Entry> l = new ArrayList<>();
    for (int i = 0; i < terms.length; i++) {
      l.add(e(first + i, terms[i]));
    }
    return l;
  }

  /** A storage holding (already persisted) entries 1..n with the given terms. */
  static MemoryStorage stored(long... terms) {
    MemoryStorage s = new MemoryStorage();
    s.append(ents(1, terms));
    return s;
  }

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
      assertArrayEquals(new long[] {wantIndex, wantTerm}, l.findConflictByTerm(index, term));
    }

    @Test
    @DisplayName("§5.3 (fast backtracking): the snapshot's index and term still answer")
    void atSnapshotBoundary() {
      MemoryStorage s = stored(1, 2, 2, 4, 4, 5);
      s.createSnapshot(3, ConfState.getDefaultInstance(), ByteString.EMPTY);
      s.compact(3);
      RaftLog c = log(s);
      assertArrayEquals(new long[] {5, 4}, c.findConflictByTerm(6, 4));
      assertArrayEquals(new long[] {3, 2}, c.findConflictByTerm(6, 3));
      // Nothing known has term <= 1: the answer is at or below the snapshot, term unknown (0).
      long[] unknown = c.findConflictByTerm(6, 1);
      assertTrue(unknown[0] <= 3, "hint " + unknown[0] + " must not pass the snapshot index");
      assertEquals(0, unknown[1]);
    }

    @Test
    @Disabled("BUG: findConflictByTerm(index, term) with index < firstIndex()-1 returns "
        + "{firstIndex()-1, 0}, an index ABOVE the one asked about, breaking its contract "
        + "'the largest index <= index'. RaftLog.java:142 starts the loop at min(index, "
        + "lastIndex()) and the loop guard i >= first-1 is false at once, so line 148 returns "
        + "first-1. A leader (Replication.handleAppendRejected) whose snapshot is past a "
        + "follower's reject hint thus probes at its snapshot index instead of sending the "
        + "snapshot, costing extra round trips. etcd returns (index, 0) here.")
    @DisplayName("§5.3 (fast backtracking): a hint below the snapshot is not raised above index")
    void belowSnapshotIsNotRaised() {
      MemoryStorage s = stored(1, 2, 2, 4, 4, 5);
      s.createSnapshot(3, ConfState.getDefaultInstance(), ByteString.EMPTY);
      s.compact(3);
      RaftLog c = log(s);
      long[] hint = c.findConflictByTerm(1, 1);
      assertTrue(hint[0] <= 1, "asked about index 1, got hint index " + hint[0]);
      assertEquals(0, hint[1], "the term at a compacted index is unknown");
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

  @Nested
  @DisplayName("unstable / stable handoff")
  class Handoff {
    final MemoryStorage s = new MemoryStorage();
    final RaftLog l = log(s);

    @Test
    @DisplayName("appended entries stay unstable until the runtime reports them persisted")
    void stableTo() {
      l.append(ents(1, 1, 1, 1));
      assertEquals(List.of(1L, 2L, 3L), indexes(l.unstableEntries()));
      assertEquals(0, l.stableLastIndex());
      s.append(l.unstableEntries().subList(0, 2));
      l.stableTo(2, 1);
      assertEquals(List.of(3L), indexes(l.unstableEntries()));
      assertEquals(2, l.stableLastIndex());
      persist(s, l);
      assertFalse(l.hasUnstableEntries());
      assertEquals(3, l.stableLastIndex());
      assertEquals(3, l.lastIndex());
      assertEquals(List.of(1L, 1L, 1L), terms(l));
      l.stableTo(2, 1); // a late duplicate report is harmless
      assertEquals(3, l.stableLastIndex());
    }

    @Test
    @DisplayName("§5.3: stableTo for an entry replaced by a conflicting append is ignored")
    void stableToAfterTruncationIgnored() {
      l.append(ents(1, 1, 1, 1));
      s.append(l.unstableEntries()); // the runtime is writing 1..3 at term 1 ...
      l.maybeAppend(1, 1, 0, ents(2, 2)); // ... when a new leader replaces entry 2 onwards
      l.stableTo(3, 1); // entry 3 is gone
      l.stableTo(2, 1); // entry 2 now has term 2
      assertEquals(List.of(1L, 2L), indexes(l.unstableEntries()));
      assertEquals(0, l.stableLastIndex());
      l.stableTo(1, 1); // entry 1 is unchanged, so this report counts
      assertEquals(List.of(2L), indexes(l.unstableEntries()));
      assertEquals(1, l.stableLastIndex());
    }

    @Test
    @DisplayName("§5.3: a truncation into the persisted part makes storage's tail stale")
    void truncationIntoStorage() {
      MemoryStorage st = stored(1, 1, 1);
      RaftLog p = log(st);
      p.commitTo(1);
      assertEquals(2, p.maybeAppend(1, 1, 2, ents(2, 2)));
      assertEquals(2, p.commitIndex());
      // Entry 2 is committed but only its term-1 predecessor is on disk: apply just entry 1.
      assertEquals(List.of(1L), indexes(p.nextCommittedEntries()));
      p.appliedTo(1);
      assertTrue(p.nextCommittedEntries().isEmpty());
      persist(st, p);
      List<Entry> next = p.nextCommittedEntries();
      assertEquals(List.of(e(2, 2)), next, "the new entry, not storage's stale one");
    }
  }

  @Nested
  @DisplayName("slice across storage and unstable")
  class Slice {
    static final ByteString DATA = ByteString.copyFromUtf8("0123456789");
    final MemoryStorage s = new MemoryStorage();
    final RaftLog l = log(s);
    final long size;

    Slice() {
      List<Entry> es = new ArrayList<>();
      for (long i = 1; i <= 5; i++) {
        es.add(Entry.newBuilder().setIndex(i).setTerm(i <= 3 ? 1 : 2).setData(DATA).build());
      }
      s.append(es.subList(0, 3)); // 1..3 persisted
      l.append(es.subList(0, 3));
      l.stableTo(3, 1);
      l.append(es.subList(3, 5)); // 4..5 unstable
      size = es.get(0).getSerializedSize();
      for (Entry x : es) {
        assertEquals(size, x.getSerializedSize(), "test assumes equal entry sizes");
      }
    }

    @Test
    @DisplayName("without a size limit, slices join storage and the unstable tail")
    void unlimited() {
      assertEquals(3, l.stableLastIndex());
      assertEquals(List.of(1L, 2L, 3L, 4L, 5L), indexes(l.slice(1, 6, Long.MAX_VALUE)));
      assertEquals(List.of(2L, 3L, 4L), indexes(l.slice(2, 5, Long.MAX_VALUE)));
      assertEquals(List.of(4L, 5L), indexes(l.slice(4, 6, Long.MAX_VALUE)));
      assertEquals(List.of(), l.slice(3, 3, Long.MAX_VALUE));
      assertEquals(List.of(4L, 5L), indexes(l.entries(4, Long.MAX_VALUE)));
      assertEquals(List.of(), l.entries(6, Long.MAX_VALUE));
    }

    @ParameterizedTest(name = "maxSize = {0} entries' worth (+{1} bytes) -> {2}")
    @CsvSource({"0,0,'2'", "1,0,'2'", "2,-1,'2'", "2,0,'2,3'", "3,-1,'2,3'", "3,0,'2,3,4'",
        "4,0,'2,3,4,5'", "9,0,'2,3,4,5'"})
    @DisplayName("maxSize bounds the total bytes, across the boundary, but yields at least one")
    void limited(long entriesWorth, long extra, String want) {
      List<Long> wanted = java.util.Arrays.stream(want.split(",")).map(Long::valueOf).toList();
      assertEquals(wanted, indexes(l.slice(2, 6, entriesWorth * size + extra)));
    }

    @Test
    @DisplayName("a slice that lies wholly in the unstable tail is also limited")
    void limitedUnstableOnly() {
      assertEquals(List.of(4L), indexes(l.slice(4, 6, 0)));
      assertEquals(List.of(4L), indexes(l.slice(4, 6, 2 * size - 1)));
    }

    @Test
    @DisplayName("§7: slicing below firstIndex throws Compacted")
    void compacted() {
      s.compact(2);
      assertEquals(3, l.firstIndex());
      assertThrows(Storage.CompactedException.class, () -> l.slice(2, 4, Long.MAX_VALUE));
      assertEquals(List.of(3L, 4L), indexes(l.slice(3, 5, Long.MAX_VALUE)));
    }
  }

  @Nested
  @DisplayName("restore from a snapshot")
  class Restore {
    final MemoryStorage s = stored(1, 1, 1);
    final RaftLog l = log(s);
    final Snapshot snap = snap(10, 4);

    @Test
    @DisplayName("§7: a restored snapshot replaces the whole log and is committed")
    void restoreReplacesLog() {
      l.append(ents(4, 2));
      l.commitTo(1);
      l.restore(snap);
      assertEquals(11, l.firstIndex());
      assertEquals(10, l.lastIndex());
      assertEquals(4, l.lastTerm());
      assertEquals(4, l.term(10));
      assertEquals(0, l.term(9));
      assertEquals(0, l.term(3));
      assertEquals(10, l.commitIndex());
      assertEquals(0, l.lastApplied(), "applied only once the state machine loads it");
      assertSame(snap, l.unstableSnapshot());
      assertSame(snap, l.snapshot());
      assertFalse(l.hasUnstableEntries());
      assertFalse(l.hasNextCommittedEntries(), "the snapshot is applied whole, not as entries");
      assertEquals(List.of(), l.nextCommittedEntries());
      assertTrue(l.matchTerm(10, 4));
      assertFalse(l.matchTerm(3, 1));
    }

    @Test
    @DisplayName("§7: entries following the snapshot are accepted before it is persisted")
    void appendAfterRestore() {
      l.restore(snap);
      assertEquals(11, l.maybeAppend(10, 4, 11, ents(11, 4)));
      assertEquals(11, l.commitIndex());
      assertEquals(List.of(), l.nextCommittedEntries(), "entry 11 is not persisted yet");
      assertEquals(List.of(11L), indexes(l.unstableEntries()));
    }

    @Test
    @DisplayName("§7: once persisted, storage answers for the snapshot")
    void stableSnapTo() {
      l.restore(snap);
      l.stableSnapTo(9); // not the pending one: ignored
      assertSame(snap, l.unstableSnapshot());
      s.applySnapshot(snap);
      l.stableSnapTo(10);
      assertNull(l.unstableSnapshot());
      assertEquals(11, l.firstIndex());
      assertEquals(10, l.lastIndex());
      assertEquals(4, l.term(10));
      assertEquals(snap, l.snapshot());
      l.appliedSnapshot(10);
      assertEquals(10, l.lastApplied());
      l.appliedSnapshot(5); // never backwards
      assertEquals(10, l.lastApplied());
    }
  }

  @Nested
  @DisplayName("nextCommittedEntries")
  class NextCommitted {
    final MemoryStorage s = new MemoryStorage();
    final RaftLog l = log(s);

    @Test
    @DisplayName("only committed entries that are also persisted are handed to the state machine")
    void onlyPersisted() {
      l.append(ents(1, 1, 1, 1));
      l.commitTo(3);
      assertFalse(l.hasNextCommittedEntries());
      assertEquals(List.of(), l.nextCommittedEntries());
      s.append(l.unstableEntries().subList(0, 2));
      l.stableTo(2, 1);
      assertTrue(l.hasNextCommittedEntries());
      assertEquals(List.of(1L, 2L), indexes(l.nextCommittedEntries()));
      l.appliedTo(2);
      assertEquals(List.of(), l.nextCommittedEntries());
      persist(s, l);
      assertEquals(List.of(3L), indexes(l.nextCommittedEntries()));
    }

    @Test
    @DisplayName("only committed entries: persisted but uncommitted entries wait")
    void onlyCommitted() {
      l.append(ents(1, 1, 1, 1));
      persist(s, l);
      l.commitTo(1);
      assertEquals(List.of(1L), indexes(l.nextCommittedEntries()));
    }

    @Test
    @DisplayName("maxApplyingBytes bounds each batch, but at least one entry is handed out")
    void batchSize() {
      MemoryStorage st = stored(1, 1, 1);
      RaftLog small = new RaftLog(st, 0);
      small.commitTo(3);
      assertEquals(List.of(1L), indexes(small.nextCommittedEntries()));
      small.appliedTo(1);
      assertEquals(List.of(2L), indexes(small.nextCommittedEntries()));
    }
  }
}
