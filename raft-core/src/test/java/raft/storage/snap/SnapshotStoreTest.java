package raft.storage.snap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.pb.ConfState;
import raft.pb.Snapshot;
import raft.pb.SnapshotMetadata;

class SnapshotStoreTest {

  @TempDir
  Path dir;
  final List<String> log = new ArrayList<>();

  static Snapshot snap(long index, long term) {
    return Snapshot.newBuilder().setData(ByteString.copyFromUtf8("state@" + index))
        .setMetadata(SnapshotMetadata.newBuilder().setIndex(index).setTerm(term)
            .setConfState(ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3)))
        .build();
  }

  @Test
  @DisplayName("an empty directory has no snapshot")
  void empty() throws IOException {
    assertEquals(Optional.empty(), SnapshotStore.open(dir, log::add).loadNewest());
  }

  @Test
  @DisplayName("§7: a saved snapshot loads back whole, under its term-index name")
  void roundTrip() throws IOException {
    SnapshotStore s = SnapshotStore.open(dir, log::add);
    s.save(snap(1000, 2));
    assertEquals(List.of("0000000000000002-00000000000003e8.snap"), s.files());
    assertEquals(Optional.of(snap(1000, 2)),
        SnapshotStore.open(dir, log::add).loadNewest());
  }

  @Test
  @DisplayName("§7: a snapshot streamed from a writer is the layout's bytes: header, the "
      + "Snapshot protobuf exactly as protobuf writes it, CRC32C")
  void streamedFileIsTheDocumentedLayout() throws IOException {
    SnapshotStore s = SnapshotStore.open(dir, log::add);
    byte[] state = new byte[300_000]; // larger than the stream buffer, and not all zeros
    new java.util.Random(5).nextBytes(state);
    Snapshot expected = snap(70, 3).toBuilder().setData(ByteString.copyFrom(state)).build();
    Path tmp = s.writeTemporary(expected.getMetadata(), out -> out.write(state));
    s.install(tmp, expected.getMetadata());
    assertFalse(Files.exists(tmp));

    byte[] body = expected.toByteArray();
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(body);
    java.nio.ByteBuffer want = java.nio.ByteBuffer.allocate(SnapshotStore.HEADER_BYTES
        + body.length + 4).put(SnapshotStore.MAGIC).putInt(SnapshotStore.VERSION)
        .putLong(body.length).put(body).putInt((int) crc.getValue());
    assertTrue(java.util.Arrays.equals(want.array(),
        Files.readAllBytes(dir.resolve(SnapshotStore.fileName(3, 70)))));
    assertEquals(expected, s.loadNewest().orElseThrow());
  }

  @Test
  @DisplayName("a state machine that writes different bytes the second time is refused, and "
      + "leaves no file behind")
  void writerMustRepeatItself() throws IOException {
    SnapshotStore s = SnapshotStore.open(dir, log::add);
    int[] calls = {0};
    IOException e = assertThrows(IOException.class, () -> s.writeTemporary(
        snap(9, 1).getMetadata(), out -> out.write(new byte[++calls[0] * 10])));
    assertTrue(e.getMessage().contains("wrote 20 bytes after counting 10"), e.getMessage());
    try (var files = Files.list(dir)) {
      assertEquals(List.of(), files.toList());
    }
  }

  @Test
  @DisplayName("only the newest two snapshots are kept, and the newest is loaded")
  void keepsTwo() throws IOException {
    SnapshotStore s = SnapshotStore.open(dir, log::add);
    for (long i = 1; i <= 4; i++) {
      s.save(snap(i * 10, i < 3 ? 1 : 2));
    }
    assertEquals(List.of(SnapshotStore.fileName(2, 30), SnapshotStore.fileName(2, 40)),
        s.files());
    assertEquals(snap(40, 2), s.loadNewest().orElseThrow());
  }

  @Test
  @DisplayName("a corrupt newest snapshot is refused with the file name and what to do, "
      + "not skipped for the older one")
  void corruptNewest() throws IOException {
    SnapshotStore s = SnapshotStore.open(dir, log::add);
    s.save(snap(10, 1));
    s.save(snap(20, 1));
    Path newest = dir.resolve(SnapshotStore.fileName(1, 20));
    byte[] b = Files.readAllBytes(newest);
    b[b.length - 10] ^= 0x40; // one bit in the protobuf body
    Files.write(newest, b);
    SnapshotCorruptException e = assertThrows(SnapshotCorruptException.class,
        () -> SnapshotStore.open(dir, log::add).loadNewest());
    assertEquals(newest, e.file());
    assertTrue(e.getMessage().contains(newest.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("CRC32C"), e.getMessage());
    assertTrue(e.getMessage().contains("refuses to start"), e.getMessage());
  }

  @Test
  @DisplayName("a snapshot file followed by other bytes (a backup's trailer) reads by its "
      + "prefix, still checked; a file that stops short does not")
  void prefixWithTrailer() throws IOException {
    SnapshotStore s = SnapshotStore.open(dir, log::add);
    s.save(snap(10, 1));
    byte[] file = Files.readAllBytes(dir.resolve(SnapshotStore.fileName(1, 10)));
    Path backup = dir.resolveSibling("backup.db");
    byte[] withTrailer = java.util.Arrays.copyOf(file, file.length + 100);
    Files.write(backup, withTrailer);
    assertEquals(snap(10, 1), SnapshotStore.readPrefix(backup));
    assertEquals(snap(10, 1), SnapshotStore.mapPrefix(backup), "mapped, the same snapshot");
    withTrailer[file.length - 10] ^= 0x40;
    Files.write(backup, withTrailer);
    assertTrue(assertThrows(SnapshotCorruptException.class, () -> SnapshotStore.readPrefix(backup))
        .getMessage().contains("CRC32C"));
    assertTrue(assertThrows(SnapshotCorruptException.class, () -> SnapshotStore.mapPrefix(backup))
        .getMessage().contains("CRC32C"));
    Files.write(backup, java.util.Arrays.copyOf(file, file.length - 5));
    assertTrue(assertThrows(SnapshotCorruptException.class, () -> SnapshotStore.readPrefix(backup))
        .getMessage().contains("truncated"));
    assertTrue(assertThrows(SnapshotCorruptException.class, () -> SnapshotStore.mapPrefix(backup))
        .getMessage().contains("truncated"));
  }

  @Test
  @DisplayName("a truncated newest snapshot is refused too")
  void truncatedNewest() throws IOException {
    SnapshotStore s = SnapshotStore.open(dir, log::add);
    s.save(snap(10, 1));
    Path f = dir.resolve(SnapshotStore.fileName(1, 10));
    byte[] b = Files.readAllBytes(f);
    Files.write(f, java.util.Arrays.copyOf(b, b.length - 3));
    SnapshotCorruptException e = assertThrows(SnapshotCorruptException.class,
        () -> SnapshotStore.open(dir, log::add).loadNewest());
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  @DisplayName("a leftover .tmp file (a save cut short by a crash) is deleted with a log line")
  void leftoverTmp() throws IOException {
    SnapshotStore.open(dir, log::add).save(snap(10, 1));
    Path tmp = dir.resolve(SnapshotStore.fileName(1, 20) + ".tmp");
    Files.write(tmp, new byte[] {1, 2, 3});
    SnapshotStore s = SnapshotStore.open(dir, log::add);
    assertFalse(Files.exists(tmp));
    assertEquals(1, log.size(), log.toString());
    assertTrue(log.get(0).contains(tmp.toString()), log.get(0));
    assertEquals(snap(10, 1), s.loadNewest().orElseThrow());
  }
}
