package raft.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.TestLogs.e;
import static raft.TestLogs.ents;
import static raft.log.RaftLogTest.indexes;
import static raft.log.RaftLogTest.log;
import static raft.log.RaftLogTest.persist;
import static raft.log.RaftLogTest.snap;
import static raft.TestLogs.stored;
import static raft.log.RaftLogTest.terms;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import raft.pb.Entry;
import raft.pb.Snapshot;

/**
 * RaftLog's boundary with storage: the unstable tail handed to the runtime and taken back as
 * stable, slices that straddle storage and the tail, snapshots, and what may be applied.
 */
class RaftLogStorageTest {

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
