package raft.storage.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.pb.Entry;
import raft.pb.HardState;
import raft.pb.SnapshotMetadata;

class WalTest {

  final List<String> log = new ArrayList<>();
  final Wal.Options small = new Wal.Options(512, log::add);

  static Entry e(long index, long term) {
    return Entry.newBuilder().setIndex(index).setTerm(term)
        .setData(ByteString.copyFromUtf8("cmd-" + index + "-" + term)).build();
  }

  static List<Entry> range(long from, long to, long term) {
    return LongStream.rangeClosed(from, to).mapToObj(i -> e(i, term)).toList();
  }

  static HardState hs(long term, long vote, long commit) {
    return HardState.newBuilder().setTerm(term).setVote(vote).setCommit(commit).build();
  }

  static SnapshotMetadata snap(long index, long term) {
    return SnapshotMetadata.newBuilder().setIndex(index).setTerm(term).build();
  }

  @Test
  @DisplayName("an empty directory opens as an empty log")
  void emptyOpen() throws IOException {
    Wal w = Wal.open(new FaultyFiles(), small);
    assertEquals(HardState.getDefaultInstance(), w.recovered().hardState());
    assertEquals(0, w.recovered().snapshot().getIndex());
    assertTrue(w.recovered().entries().isEmpty());
    assertEquals(List.of("0000000000000001-0000000000000001.wal"), w.segmentFiles());
  }

  @Test
  @DisplayName("entries and hard state round-trip through close and reopen on disk")
  void roundTrip(@TempDir Path dir) throws IOException {
    try (Wal w = Wal.open(dir, Wal.Options.defaults().withLog(log::add))) {
      w.save(hs(1, 1, 0), range(1, 3, 1), true);
      w.save(hs(1, 1, 2), range(4, 5, 1), false);
    }
    try (Wal w = Wal.open(dir, Wal.Options.defaults().withLog(log::add))) {
      assertEquals(range(1, 5, 1), w.recovered().entries());
      assertEquals(hs(1, 1, 2), w.recovered().hardState());
      w.save(null, range(6, 6, 2), true);
    }
    try (Wal w = Wal.open(dir, Wal.Options.defaults())) {
      assertEquals(6, w.recovered().entries().size());
    }
    assertTrue(log.isEmpty(), log.toString());
  }

  @Test
  @DisplayName("segments roll at the configured size and replay in order")
  void rollsOverSegments() throws IOException {
    FaultyFiles f = new FaultyFiles();
    Wal w = Wal.open(f, small);
    for (long i = 1; i <= 60; i++) {
      w.save(hs(1, 1, i - 1), List.of(e(i, 1)), i % 7 == 0);
    }
    w.close();
    assertTrue(w.segmentFiles().size() >= 4, w.segmentFiles().toString());
    Wal r = Wal.open(f, small);
    assertEquals(range(1, 60, 1), r.recovered().entries());
    assertEquals(hs(1, 1, 59), r.recovered().hardState());
    assertEquals(w.segmentFiles(), r.segmentFiles());
    // names say where each segment's entries start
    for (String s : r.segmentFiles()) {
      assertTrue(s.matches("\\d{16}-\\d{16}\\.wal"), s);
    }
  }

  @Test
  @DisplayName("a batch larger than a segment gets a segment of its own")
  void bigBatch() throws IOException {
    FaultyFiles f = new FaultyFiles();
    Wal w = Wal.open(f, small);
    w.save(null, range(1, 2, 1), true);
    w.save(null, range(3, 100, 1), true);
    w.save(null, range(101, 101, 1), true);
    assertEquals(range(1, 101, 1), Wal.open(f, small).recovered().entries());
  }

  @Test
  @DisplayName("an entry at an existing index replaces it and everything after (§5.3)")
  void conflictTruncates() throws IOException {
    FaultyFiles f = new FaultyFiles();
    Wal w = Wal.open(f, small);
    w.save(null, range(1, 10, 1), false);
    w.save(null, range(6, 7, 2), true);
    List<Entry> want = new ArrayList<>(range(1, 5, 1));
    want.addAll(range(6, 7, 2));
    assertEquals(want, Wal.open(f, small).recovered().entries());
  }

  @Test
  @DisplayName("a gap in the indexes is refused before anything is written")
  void gapRefused() throws IOException {
    Wal w = Wal.open(new FaultyFiles(), small);
    w.save(null, range(1, 2, 1), true);
    assertThrows(IllegalArgumentException.class, () -> w.save(null, range(4, 4, 1), true));
    assertThrows(IllegalArgumentException.class,
        () -> w.save(null, List.of(e(3, 1), e(5, 1)), true));
  }

  @Test
  @DisplayName("hard state alone round-trips, the latest one wins")
  void hardStateOnly() throws IOException {
    FaultyFiles f = new FaultyFiles();
    Wal w = Wal.open(f, small);
    for (long t = 1; t <= 40; t++) {
      w.save(hs(t, t % 3, 0), List.of(), true);
    }
    Wal.Recovered r = Wal.open(f, small).recovered();
    assertEquals(hs(40, 1, 0), r.hardState());
    assertTrue(r.entries().isEmpty());
  }

  @Test
  @DisplayName("a snapshot marker drops covered entries; releaseBefore deletes covered segments")
  void snapshotAndRelease() throws IOException {
    FaultyFiles f = new FaultyFiles();
    Wal w = Wal.open(f, small);
    for (long i = 1; i <= 50; i++) {
      w.save(hs(1, 1, i), List.of(e(i, 1)), true);
    }
    int before = w.segmentFiles().size();
    w.saveSnapshotMarker(snap(40, 1));
    w.releaseBefore(40);
    assertTrue(w.segmentFiles().size() < before, before + " -> " + w.segmentFiles());
    assertEquals(w.segmentFiles(), f.list());
    w.save(null, range(51, 52, 1), true);
    Wal.Recovered r = Wal.open(f, small).recovered();
    assertEquals(snap(40, 1), r.snapshot());
    assertEquals(range(41, 52, 1), r.entries());
    assertEquals(hs(1, 1, 50), r.hardState());
  }

  @Test
  @DisplayName("§7: a snapshot that does not match the log replaces the whole log")
  void snapshotPastTheLogDiscardsIt() throws IOException {
    FaultyFiles f = new FaultyFiles();
    Wal w = Wal.open(f, small);
    w.save(null, range(1, 5, 1), true);
    w.saveSnapshotMarker(snap(3, 2)); // term differs from the entry at 3
    w.save(null, range(4, 4, 2), true);
    Wal.Recovered r = Wal.open(f, small).recovered();
    assertEquals(range(4, 4, 2), r.entries());
    w.saveSnapshotMarker(snap(9, 3)); // beyond the log
    assertTrue(Wal.open(f, small).recovered().entries().isEmpty());
    w.save(null, range(10, 10, 3), true);
    assertEquals(range(10, 10, 3), Wal.open(f, small).recovered().entries());
  }

  @Test
  @DisplayName("§7: a mismatched snapshot marker still resets the log after the segment holding "
      + "the entry it was checked against is released")
  void resetSurvivesRelease() throws IOException {
    FaultyFiles f = new FaultyFiles();
    Wal.Options tiny = new Wal.Options(160, log::add);
    Wal w = Wal.open(f, tiny);
    w.save(null, range(1, 3, 1), true);
    w.save(null, range(4, 6, 1), true);
    w.saveSnapshotMarker(snap(2, 8)); // entry 2 has term 1: the log is replaced
    w.save(null, range(3, 7, 8), true);
    w.saveSnapshotMarker(snap(4, 8));
    w.releaseBefore(4);
    assertTrue(w.segmentFiles().size() < 4, w.segmentFiles().toString());
    Wal.Recovered r = Wal.open(f, tiny).recovered();
    assertEquals(snap(4, 8), r.snapshot());
    assertEquals(range(5, 7, 8), r.entries());
  }

  @Test
  @DisplayName("releaseBefore keeps segments a snapshot does not cover")
  void releaseKeepsUncovered() throws IOException {
    FaultyFiles f = new FaultyFiles();
    Wal w = Wal.open(f, small);
    for (long i = 1; i <= 50; i++) {
      w.save(null, List.of(e(i, 1)), true);
    }
    int before = w.segmentFiles().size();
    w.releaseBefore(50); // no snapshot yet: nothing may go
    assertEquals(before, w.segmentFiles().size());
    w.saveSnapshotMarker(snap(5, 1));
    w.releaseBefore(50); // only what the snapshot at 5 covers
    assertEquals(range(6, 50, 1), Wal.open(f, small).recovered().entries());
  }

  @Test
  @DisplayName("fsyncgate: after a failed fsync the WAL refuses further writes")
  void failedForceRefusesWrites() throws IOException {
    FaultyFiles f = new FaultyFiles();
    Wal w = Wal.open(f, small);
    w.save(null, range(1, 2, 1), true);
    f.failNextForce();
    assertThrows(IOException.class, () -> w.save(null, range(3, 3, 1), true));
    IllegalStateException ex =
        assertThrows(IllegalStateException.class, () -> w.save(null, range(3, 3, 1), true));
    assertTrue(ex.getMessage().contains("restart"), ex.getMessage());
    f.crash(0, 0);
    assertEquals(range(1, 2, 1), Wal.open(f, small).recovered().entries());
  }

  @Test
  @DisplayName("a sync makes everything before it durable; unsynced writes may be lost")
  void syncIsTheLine() throws IOException {
    FaultyFiles f = new FaultyFiles();
    Wal w = Wal.open(f, small);
    w.save(hs(1, 0, 0), range(1, 3, 1), false);
    w.save(hs(1, 1, 0), range(4, 4, 1), true);
    w.save(hs(2, 1, 0), range(5, 6, 1), false);
    f.crash(0, 0);
    Wal.Recovered r = Wal.open(f, small).recovered();
    assertEquals(range(1, 4, 1), r.entries());
    assertEquals(hs(1, 1, 0), r.hardState());
  }
}
