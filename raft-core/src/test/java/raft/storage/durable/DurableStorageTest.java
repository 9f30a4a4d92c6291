package raft.storage.durable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.core.Ready;
import raft.pb.ConfState;
import raft.pb.Entry;
import raft.pb.HardState;
import raft.pb.Snapshot;
import raft.pb.SnapshotMetadata;
import raft.storage.snap.SnapshotStore;

class DurableStorageTest {

  static final List<Long> PEERS = List.of(1L, 2L, 3L);
  static final ConfState CS = ConfState.newBuilder().addAllVoters(PEERS).build();

  @TempDir
  Path dir;
  final List<String> log = new ArrayList<>();
  final DurableStorage.Options small = new DurableStorage.Options(512, 5, log::add);

  static List<Entry> range(long from, long to, long term) {
    return LongStream.rangeClosed(from, to).mapToObj(i -> Entry.newBuilder().setIndex(i)
        .setTerm(term).setData(ByteString.copyFromUtf8("command number " + i)).build()).toList();
  }

  static HardState hs(long term, long vote, long commit) {
    return HardState.newBuilder().setTerm(term).setVote(vote).setCommit(commit).build();
  }

  static Ready ready(HardState hs, List<Entry> entries, Snapshot snap) {
    return new Ready(null, hs, List.of(), entries, snap, List.of(), List.of(), List.of(), true);
  }

  DurableStorage open() throws IOException {
    return DurableStorage.open(dir, PEERS, small);
  }

  @Test
  @DisplayName("a brand-new directory starts empty with the given membership")
  void bootstrap() throws IOException {
    try (DurableStorage s = open()) {
      assertEquals(CS, s.initialState().confState());
      assertEquals(HardState.getDefaultInstance(), s.initialState().hardState());
      assertEquals(0, s.lastIndex());
      assertEquals(1, s.firstIndex());
    }
  }

  @Test
  @DisplayName("each WAL fsync is timed for etcd_disk_wal_fsync_duration_seconds")
  void fsyncsAreTimed() throws IOException {
    List<Long> fsyncs = new ArrayList<>();
    try (DurableStorage s = DurableStorage.open(dir, PEERS,
        small.withFsyncObserver(fsyncs::add))) {
      int before = fsyncs.size(); // opening a new WAL syncs its first segment
      s.persist(ready(hs(1, 2, 0), range(1, 5, 1), null));
      assertEquals(before + 1, fsyncs.size(), "one batch, one fsync");
      assertTrue(fsyncs.stream().allMatch(n -> n >= 0));
    }
  }

  @Test
  @DisplayName("Figure 2: term, vote and log survive a restart")
  void persistAndReopen() throws IOException {
    try (DurableStorage s = open()) {
      s.persist(ready(hs(1, 2, 0), range(1, 5, 1), null));
      s.persist(ready(hs(2, 3, 4), range(4, 7, 2), null)); // overwrites 4 and 5 (§5.3)
    }
    try (DurableStorage s = open()) {
      assertEquals(hs(2, 3, 4), s.initialState().hardState());
      List<Entry> want = new ArrayList<>(range(1, 3, 1));
      want.addAll(range(4, 7, 2));
      assertEquals(want, s.entries(1, 8, Long.MAX_VALUE));
      assertEquals(CS, s.initialState().confState());
    }
  }

  @Test
  @DisplayName("§7: a snapshot installed from the leader replaces the log and survives a restart")
  void installedSnapshot() throws IOException {
    Snapshot snap = Snapshot.newBuilder().setData(ByteString.copyFromUtf8("sm"))
        .setMetadata(SnapshotMetadata.newBuilder().setIndex(50).setTerm(3).setConfState(CS))
        .build();
    try (DurableStorage s = open()) {
      s.persist(ready(hs(1, 1, 3), range(1, 10, 1), null));
      s.persist(ready(hs(3, 0, 50), List.of(), snap));
      s.persist(ready(null, range(51, 52, 3), null));
    }
    try (DurableStorage s = open()) {
      assertEquals(snap, s.snapshot());
      assertEquals(51, s.firstIndex());
      assertEquals(52, s.lastIndex());
      assertEquals(3, s.term(50));
      assertEquals(hs(3, 0, 50), s.initialState().hardState());
    }
  }

  @Test
  @DisplayName("§7: after a snapshot, compaction keeps the catch-up entries in memory and "
      + "deletes the WAL segments the snapshot covers; a restart starts from the snapshot")
  void compaction() throws IOException {
    List<String> before;
    try (DurableStorage s = open()) {
      for (long i = 1; i <= 100; i += 10) {
        s.persist(ready(hs(1, 1, i + 9), range(i, i + 9, 1), null));
      }
      before = s.walSegments();
      assertTrue(before.size() > 5, "expected many small segments: " + before);
      s.createSnapshot(80, CS, ByteString.copyFromUtf8("state@80"));
      assertEquals(76, s.firstIndex(), "snapshotCatchUpEntries = 5 entries kept below 80");
      List<String> after = s.walSegments();
      assertTrue(after.size() < before.size() - 3, before + " -> " + after);
      assertTrue(after.containsAll(before.subList(before.size() - 2, before.size())));
    }
    try (DurableStorage s = open()) {
      assertEquals(80, s.snapshot().getMetadata().getIndex());
      assertEquals(ByteString.copyFromUtf8("state@80"), s.snapshot().getData());
      assertEquals(81, s.firstIndex());
      assertEquals(range(81, 100, 1), s.entries(81, 101, Long.MAX_VALUE));
      assertEquals(hs(1, 1, 100), s.initialState().hardState());
    }
  }

  @Test
  @DisplayName("§7: the catch-up entries kept below a snapshot are bounded in bytes too")
  void catchUpEntriesAreBoundedInBytes() throws IOException {
    long threeEntries = range(78, 80, 1).stream().mapToLong(Entry::getSerializedSize).sum();
    try (DurableStorage s = DurableStorage.open(dir, PEERS,
        new DurableStorage.Options(512, 5, threeEntries, log::add, null))) {
      s.persist(ready(hs(1, 1, 100), range(1, 100, 1), null));
      s.createSnapshot(80, CS, ByteString.copyFromUtf8("state@80"));
      assertEquals(78, s.firstIndex(), "three entries' bytes: 78, 79 and 80 kept");
    }
  }

  @Test
  @DisplayName("§7: the memory log keeps a snapshot's metadata only; its data is read back "
      + "from the file when a follower needs it, and a damaged file says so")
  void snapshotDataIsReadBackFromItsFile() throws IOException {
    try (DurableStorage s = open()) {
      s.persist(ready(hs(1, 1, 10), range(1, 10, 1), null));
      SnapshotMetadata m = s.createSnapshot(8, CS, ByteString.copyFromUtf8("state@8"));
      assertEquals(8, m.getIndex());
      assertEquals(m, s.snapshotMetadata());
      assertEquals(ByteString.copyFromUtf8("state@8"), s.snapshot().getData());

      Path file = dir.resolve("snap").resolve(SnapshotStore.fileName(1, 8));
      byte[] bytes = Files.readAllBytes(file);
      bytes[bytes.length - 6] ^= 1; // inside the protobuf body
      Files.write(file, bytes);
      UncheckedIOException e = assertThrows(UncheckedIOException.class, s::snapshot);
      assertTrue(e.getMessage().contains("index 8") && e.getMessage().contains(file.toString())
          && e.getMessage().contains("CRC32C"), e.getMessage());
      assertEquals(m, s.snapshotMetadata(), "the metadata needs no file");
    }
  }

  @Test
  @DisplayName("a crash between the snapshot file and its WAL marker: the snapshot wins and "
      + "the log goes on from it")
  void snapshotFileWithoutMarker() throws IOException {
    try (DurableStorage s = open()) {
      s.persist(ready(hs(1, 1, 5), range(1, 10, 1), null));
    }
    // A snapshot from a leader of term 2 at index 20, saved just before the crash.
    SnapshotStore.open(dir.resolve("snap"), log::add).save(Snapshot.newBuilder()
        .setMetadata(SnapshotMetadata.newBuilder().setIndex(20).setTerm(2).setConfState(CS))
        .build());
    try (DurableStorage s = open()) {
      assertEquals(21, s.firstIndex());
      assertEquals(20, s.lastIndex());
      assertEquals(20, s.initialState().hardState().getCommit());
      s.persist(ready(hs(2, 0, 21), range(21, 22, 2), null));
    }
    try (DurableStorage s = open()) {
      assertEquals(range(21, 22, 2), s.entries(21, 23, Long.MAX_VALUE));
    }
  }

  @Test
  @DisplayName("a WAL marker whose snapshot file is gone refuses to start, naming the file")
  void missingSnapshotFile() throws IOException {
    try (DurableStorage s = open()) {
      s.persist(ready(hs(1, 1, 10), range(1, 10, 1), null));
      s.createSnapshot(8, CS, ByteString.EMPTY);
    }
    Path f = dir.resolve("snap").resolve(SnapshotStore.fileName(1, 8));
    Files.delete(f);
    IOException e = assertThrows(IOException.class, this::open);
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
  }
}
