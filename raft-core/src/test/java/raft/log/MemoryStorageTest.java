package raft.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import raft.pb.ConfState;
import raft.pb.Entry;
import raft.pb.HardState;
import raft.pb.Snapshot;
import raft.pb.SnapshotMetadata;
import raft.log.Storage.CompactedException;
import raft.log.Storage.UnavailableException;

import static raft.TestLogs.e;
import static raft.TestLogs.ents;
import static raft.TestLogs.stored;

class MemoryStorageTest {

  /** Terms of every entry in [firstIndex, lastIndex]. */
  static List<Long> terms(MemoryStorage s) {
    return s.entries(s.firstIndex(), s.lastIndex() + 1, Long.MAX_VALUE).stream()
        .map(Entry::getTerm).toList();
  }

  static Snapshot snap(long index, long term) {
    return Snapshot.newBuilder().setMetadata(SnapshotMetadata.newBuilder().setIndex(index)
        .setTerm(term)).build();
  }

  @Test
  @DisplayName("a new storage is empty: first 1, last 0, and index 0 has term 0")
  void empty() {
    MemoryStorage s = new MemoryStorage();
    assertEquals(1, s.firstIndex());
    assertEquals(0, s.lastIndex());
    assertEquals(0, s.term(0));
    assertThrows(UnavailableException.class, () -> s.term(1));
    assertEquals(List.of(), s.entries(1, 1, Long.MAX_VALUE));
    assertEquals(0, s.snapshot().getMetadata().getIndex());
    assertEquals(HardState.getDefaultInstance(), s.initialState().hardState());
    assertEquals(List.of(), s.initialState().confState().getVotersList());
  }

  @Test
  @DisplayName("bootstrap records the voters; the hard state round-trips")
  void bootstrapAndHardState() {
    MemoryStorage s = MemoryStorage.bootstrap(List.of(1L, 2L, 3L));
    assertEquals(List.of(1L, 2L, 3L), s.initialState().confState().getVotersList());
    assertEquals(0, s.lastIndex());
    HardState hs = HardState.newBuilder().setTerm(4).setVote(2).setCommit(0).build();
    s.setHardState(hs);
    assertEquals(hs, s.hardState());
    assertEquals(hs, s.initialState().hardState());
  }

  @Nested
  @DisplayName("term and entries")
  class Reads {
    final MemoryStorage s = stored(1, 2, 3, 4, 5); // index i has term i

    @Test
    @DisplayName("term answers for [firstIndex-1, lastIndex] and throws outside")
    void term() {
      s.compact(2);
      assertThrows(CompactedException.class, () -> s.term(1));
      assertEquals(2, s.term(2), "the compaction point still answers (§5.3 consistency check)");
      assertEquals(5, s.term(5));
      assertThrows(UnavailableException.class, () -> s.term(6));
    }

    @Test
    @DisplayName("entries returns [lo, hi)")
    void entries() {
      assertEquals(ents(2, 2, 3), s.entries(2, 4, Long.MAX_VALUE));
      assertEquals(ents(1, 1, 2, 3, 4, 5), s.entries(1, 6, Long.MAX_VALUE));
      assertEquals(List.of(), s.entries(3, 3, Long.MAX_VALUE));
    }

    @Test
    @DisplayName("entries below firstIndex throw Compacted, beyond lastIndex Unavailable")
    void entriesOutOfRange() {
      assertThrows(UnavailableException.class, () -> s.entries(2, 7, Long.MAX_VALUE));
      s.compact(2);
      assertThrows(CompactedException.class, () -> s.entries(2, 4, Long.MAX_VALUE));
      assertThrows(CompactedException.class, () -> s.entries(1, 4, Long.MAX_VALUE));
      assertEquals(ents(3, 3), s.entries(3, 4, Long.MAX_VALUE));
    }

    @Test
    @DisplayName("maxSize bounds the total bytes but at least one entry is returned")
    void entriesMaxSize() {
      long size = e(1, 1).getSerializedSize();
      assertEquals(ents(1, 1), s.entries(1, 6, 0));
      assertEquals(ents(1, 1), s.entries(1, 6, 2 * size - 1));
      assertEquals(ents(1, 1, 2), s.entries(1, 6, 2 * size));
      assertEquals(ents(1, 1, 2, 3), s.entries(1, 6, 3 * size));
    }

    @Test
    @DisplayName("returned entries do not change when the storage is overwritten later")
    void entriesAreACopy() {
      List<Entry> got = s.entries(1, 4, Long.MAX_VALUE);
      s.append(ents(2, 9));
      assertEquals(ents(1, 1, 2, 3), got);
    }
  }

  @Nested
  @DisplayName("compact")
  class Compact {
    final MemoryStorage s = stored(1, 2, 3, 4, 5);

    @Test
    @DisplayName("§7: compact drops entries up to and including the index")
    void compact() {
      s.compact(3);
      assertEquals(4, s.firstIndex());
      assertEquals(5, s.lastIndex());
      assertEquals(3, s.term(3));
      assertEquals(List.of(4L, 5L), terms(s));
    }

    @Test
    @DisplayName("§7: compacting at or below the current point is a no-op")
    void compactStale() {
      s.compact(3);
      s.compact(2);
      s.compact(3);
      assertEquals(4, s.firstIndex());
      assertEquals(List.of(4L, 5L), terms(s));
    }

    @Test
    @DisplayName("§7: compacting everything leaves only the compaction point")
    void compactAll() {
      s.compact(5);
      assertEquals(6, s.firstIndex());
      assertEquals(5, s.lastIndex());
      assertEquals(5, s.term(5));
      s.append(ents(6, 6)); // appending right after still works
      assertEquals(List.of(6L), terms(s));
    }

    @Test
    @DisplayName("compacting beyond lastIndex throws Unavailable")
    void compactBeyondLast() {
      assertThrows(UnavailableException.class, () -> s.compact(6));
      assertEquals(1, s.firstIndex());
      assertEquals(5, s.lastIndex());
    }
  }

  @Nested
  @DisplayName("snapshots")
  class Snapshots {
    final MemoryStorage s = stored(1, 2, 3, 4, 5);
    final ConfState cs = ConfState.newBuilder().addVoters(1).addVoters(2).build();
    final ByteString data = ByteString.copyFromUtf8("state");

    @Test
    @DisplayName("§7: createSnapshot records index, term, membership and data, keeping entries")
    void createSnapshot() {
      Snapshot got = s.createSnapshot(3, cs, data);
      assertEquals(3, got.getMetadata().getIndex());
      assertEquals(3, got.getMetadata().getTerm());
      assertEquals(cs, got.getMetadata().getConfState());
      assertEquals(data, got.getData());
      assertSame(got, s.snapshot());
      assertEquals(1, s.firstIndex(), "compaction is a separate step");
      assertEquals(cs, s.initialState().confState());
    }

    @Test
    @DisplayName("§7: createSnapshot at or below the last one returns the last one")
    void createSnapshotStale() {
      Snapshot first = s.createSnapshot(3, cs, data);
      assertSame(first, s.createSnapshot(2, ConfState.getDefaultInstance(), ByteString.EMPTY));
      assertSame(first, s.createSnapshot(3, ConfState.getDefaultInstance(), ByteString.EMPTY));
    }

    @Test
    @DisplayName("createSnapshot beyond lastIndex throws Unavailable")
    void createSnapshotBeyondLast() {
      assertThrows(UnavailableException.class, () -> s.createSnapshot(6, cs, data));
      assertEquals(0, s.snapshot().getMetadata().getIndex());
    }

    @Test
    @DisplayName("§7: applySnapshot replaces the whole log with the snapshot")
    void applySnapshot() {
      Snapshot sn = snap(10, 4);
      s.applySnapshot(sn);
      assertSame(sn, s.snapshot());
      assertEquals(11, s.firstIndex());
      assertEquals(10, s.lastIndex());
      assertEquals(4, s.term(10));
      assertThrows(CompactedException.class, () -> s.term(5));
      assertEquals(List.of(), s.entries(11, 11, Long.MAX_VALUE));
      s.append(ents(11, 4));
      assertEquals(List.of(4L), terms(s));
    }

    @Test
    @DisplayName("§7: applySnapshot also discards entries beyond a snapshot inside the log")
    void applySnapshotInsideLog() {
      s.applySnapshot(snap(3, 3));
      assertEquals(4, s.firstIndex());
      assertEquals(3, s.lastIndex());
    }

    @Test
    @DisplayName("§7: an older snapshot than the current one is ignored")
    void applyOlderSnapshot() {
      Snapshot newer = snap(10, 4);
      s.applySnapshot(newer);
      s.applySnapshot(snap(8, 4));
      s.applySnapshot(snap(10, 4));
      assertSame(newer, s.snapshot());
      assertEquals(11, s.firstIndex());
    }
  }

  @Nested
  @DisplayName("append")
  class Append {
    final MemoryStorage s = stored(1, 1, 1);

    @Test
    @DisplayName("appending right after lastIndex extends the log")
    void contiguous() {
      s.append(ents(4, 2, 2));
      assertEquals(List.of(1L, 1L, 1L, 2L, 2L), terms(s));
      s.append(List.of());
      assertEquals(5, s.lastIndex());
    }

    @Test
    @DisplayName("§5.3: overlapping entries replace ours from the first overlapping index on")
    void overlapReplacesTail() {
      s.append(ents(2, 2, 2, 2));
      assertEquals(List.of(1L, 2L, 2L, 2L), terms(s));
      assertEquals(4, s.lastIndex());
    }

    @Test
    @DisplayName("§5.3: a shorter overlapping append truncates the tail after it")
    void overlapTruncates() {
      MemoryStorage l = stored(1, 1, 1, 1, 1);
      l.append(ents(3, 2));
      assertEquals(3, l.lastIndex());
      assertEquals(List.of(1L, 1L, 2L), terms(l));
      assertThrows(UnavailableException.class, () -> l.term(4));
    }

    @Test
    @DisplayName("a gap after lastIndex is refused and the log is unchanged")
    void gapRefused() {
      assertThrows(IllegalStateException.class, () -> s.append(ents(5, 2)));
      assertEquals(3, s.lastIndex());
      assertEquals(List.of(1L, 1L, 1L), terms(s));
    }

    @Test
    @DisplayName("§7: entries wholly below the compaction point are ignored")
    void entirelyCompacted() {
      s.compact(2);
      s.append(ents(1, 7, 7));
      assertEquals(3, s.firstIndex());
      assertEquals(List.of(1L), terms(s));
      assertEquals(1, s.term(2));
    }

    @Test
    @DisplayName("§7: the compacted prefix of an append is dropped, the rest applied")
    void partiallyCompacted() {
      MemoryStorage l = stored(1, 1, 1, 1, 1);
      l.compact(3);
      l.append(ents(2, 1, 1, 2, 2, 2)); // indexes 2..6
      assertEquals(4, l.firstIndex());
      assertEquals(6, l.lastIndex());
      assertEquals(1, l.term(3), "the compaction point is untouched");
      assertEquals(List.of(2L, 2L, 2L), terms(l));
    }
  }

  @Test
  @DisplayName("limitSize keeps the longest prefix within maxSize, but at least one entry")
  void limitSize() {
    List<Entry> es = ents(1, 1, 1, 1);
    long size = es.get(0).getSerializedSize();
    assertEquals(List.of(), MemoryStorage.limitSize(List.of(), 0));
    assertEquals(es.subList(0, 1), MemoryStorage.limitSize(es, 0));
    assertEquals(es.subList(0, 2), MemoryStorage.limitSize(es, 2 * size + 1));
    assertEquals(es, MemoryStorage.limitSize(es, 3 * size));
    assertEquals(es, MemoryStorage.limitSize(es, Long.MAX_VALUE));
  }
}
