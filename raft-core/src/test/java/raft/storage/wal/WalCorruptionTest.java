package raft.storage.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.storage.wal.WalTest.e;
import static raft.storage.wal.WalTest.hs;
import static raft.storage.wal.WalTest.range;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damage on a real file system: each kind gives its own clear error, or a logged repair. */
class WalCorruptionTest {

  @TempDir Path dir;
  final List<String> log = new ArrayList<>();
  Wal.Options options;
  List<String> segments;

  @BeforeEach
  void writeFortyEntries() throws IOException {
    options = new Wal.Options(400, log::add);
    try (Wal w = Wal.open(dir, options)) {
      for (long i = 1; i <= 40; i++) {
        w.save(hs(1, 1, i - 1), List.of(e(i, 1)), true);
      }
      segments = w.segmentFiles();
    }
    assertTrue(segments.size() >= 3, segments.toString());
  }

  SegmentScan scan(String file) throws IOException {
    return SegmentScan.scan(Files.readAllBytes(dir.resolve(file)));
  }

  WalCorruptException refuses() {
    WalCorruptException ex = assertThrows(WalCorruptException.class, () -> Wal.open(dir, options));
    assertTrue(ex.getMessage().contains("restore this member from a snapshot"), ex.getMessage());
    return ex;
  }

  void flip(String file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve(file).toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x40);
    }
  }

  @Test
  @DisplayName("a flipped byte mid-segment: the error names the file and the record's offset")
  void flippedByte() throws IOException {
    String file = segments.get(1);
    SegmentScan.Rec victim = scan(file).records.get(3);
    flip(file, victim.offset() + 12);
    WalCorruptException ex = refuses();
    assertTrue(ex.getMessage().contains(file), ex.getMessage());
    assertEquals(victim.offset(), ex.offset());
    assertTrue(ex.getMessage().contains("byte offset " + victim.offset()), ex.getMessage());
    assertTrue(ex.getMessage().contains("CRC32C mismatch"), ex.getMessage());
  }

  @Test
  @DisplayName("a flipped byte in the last segment with records after it is corruption, not a "
      + "torn tail")
  void flippedByteInLastSegment() throws IOException {
    String file = segments.get(segments.size() - 1);
    SegmentScan s = scan(file);
    assertTrue(s.records.size() >= 4, "need records after the victim");
    flip(file, s.records.get(2).offset() + 10);
    WalCorruptException ex = refuses();
    assertTrue(ex.getMessage().contains("data follows it"), ex.getMessage());
  }

  @Test
  @DisplayName("a flipped bit in a record's length field in the last segment is corruption, not a"
      + " torn tail that would drop the records after it")
  void flippedLengthInLastSegment() throws IOException {
    String file = segments.get(segments.size() - 1);
    SegmentScan s = scan(file);
    assertTrue(s.records.size() >= 4, "need records after the victim");
    flip(file, s.records.get(2).offset()); // the length's top byte: longer than the file
    WalCorruptException ex = refuses();
    assertTrue(ex.getMessage().contains("runs past the end of the file"), ex.getMessage());
  }

  @Test
  @DisplayName("a middle segment cut mid-record is refused")
  void truncatedMidRecord() throws IOException {
    String file = segments.get(1);
    SegmentScan s = scan(file);
    cut(file, s.records.get(s.records.size() - 1).offset() + 5);
    WalCorruptException ex = refuses();
    assertTrue(ex.getMessage().contains(file), ex.getMessage());
    assertTrue(ex.getMessage().contains("not the last"), ex.getMessage());
  }

  @Test
  @DisplayName("a middle segment cut at a record boundary is refused: its seal is missing")
  void truncatedAtRecordBoundary() throws IOException {
    String file = segments.get(1);
    SegmentScan s = scan(file);
    int cutAt = s.records.get(s.records.size() - 2).offset();
    cut(file, cutAt);
    WalCorruptException ex = refuses();
    assertTrue(ex.getMessage().contains(file), ex.getMessage());
    assertEquals(cutAt, ex.offset());
    assertTrue(ex.getMessage().contains("cut short"), ex.getMessage());
  }

  void cut(String file, long size) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve(file).toFile(), "rw")) {
      f.setLength(size);
    }
  }

  @Test
  @DisplayName("a deleted middle segment: the error names the gap")
  void deletedMiddleSegment() throws IOException {
    Files.delete(dir.resolve(segments.get(1)));
    WalCorruptException ex = refuses();
    assertTrue(ex.getMessage().contains("sequence 2..2 are missing between " + segments.get(0)
        + " and " + segments.get(2)), ex.getMessage());
  }

  @Test
  @DisplayName("a deleted first segment with no snapshot covering it is refused")
  void deletedFirstSegment() throws IOException {
    Files.delete(dir.resolve(segments.get(0)));
    WalCorruptException ex = refuses();
    assertTrue(ex.getMessage().contains("no snapshot marker covers them"), ex.getMessage());
  }

  @Test
  @DisplayName("a damaged header is refused")
  void badHeader() throws IOException {
    flip(segments.get(1), 2);
    WalCorruptException ex = refuses();
    assertEquals(0, ex.offset());
    assertTrue(ex.getMessage().contains("bad segment header"), ex.getMessage());
  }

  @Test
  @DisplayName("a torn last record is cut off, logged with the bytes dropped, and the log goes on")
  void tornTail() throws IOException {
    String last = segments.get(segments.size() - 1);
    SegmentScan s = scan(last);
    byte[] data = Files.readAllBytes(dir.resolve(last));
    SegmentScan.Rec victim = s.records.get(s.records.size() - 1);
    // Keep only the first 11 bytes of the last record, as a power cut mid-write would.
    int torn = s.end - victim.offset() - 11;
    for (int i = victim.offset() + 11; i < s.end; i++) {
      data[i] = 0;
    }
    Files.write(dir.resolve(last), data);
    try (Wal w = Wal.open(dir, options)) {
      assertEquals(range(1, 40, 1), w.recovered().entries()); // the torn record was a hard state
      assertEquals(hs(1, 1, 38), w.recovered().hardState());
      assertEquals(1, log.size(), log.toString());
      assertTrue(log.get(0).contains("dropped 11 bytes") && log.get(0).contains(last),
          log.get(0) + " (zeroed " + torn + ")");
      w.save(null, List.of(e(41, 2)), true);
    }
    log.clear();
    try (Wal w = Wal.open(dir, options)) {
      assertEquals(41, w.recovered().entries().size());
      assertTrue(log.isEmpty(), log.toString());
    }
  }

  /** Seals the newest segment by hand, as a crash right after the seal record would leave it. */
  private void sealLastSegment() throws IOException {
    String last = segments.get(segments.size() - 1);
    SegmentScan s = scan(last);
    java.nio.ByteBuffer seal = java.nio.ByteBuffer.allocate(9);
    Records.frame(seal, Records.SEAL, new byte[0]);
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve(last).toFile(), "rw")) {
      f.seek(s.end);
      f.write(seal.array());
    }
  }

  @Test
  @DisplayName("a crash between sealing a segment and opening the next: recovery opens it")
  void crashMidRoll() throws IOException {
    sealLastSegment();
    try (Wal w = Wal.open(dir, options)) {
      assertEquals(range(1, 40, 1), w.recovered().entries());
      assertEquals(segments.size() + 1, w.segmentFiles().size());
      w.save(null, List.of(e(41, 1)), true);
    }
    try (Wal w = Wal.open(dir, options)) {
      assertEquals(41, w.recovered().entries().size());
    }
    assertTrue(log.isEmpty(), log.toString());
  }

  @Test
  @DisplayName("a new segment whose header was torn by a crash is started afresh, and logged")
  void tornHeaderOfNewSegment() throws IOException {
    sealLastSegment();
    SegmentName next = new SegmentName(segments.size() + 1, 41);
    byte[] torn = new byte[400];
    System.arraycopy(Records.header(next.seq(), 41, 1), 0, torn, 0, 12);
    Files.write(dir.resolve(next.file()), torn);
    try (Wal w = Wal.open(dir, options)) {
      assertEquals(range(1, 40, 1), w.recovered().entries());
      assertTrue(log.size() == 1 && log.get(0).contains("torn header")
          && log.get(0).contains("dropped 12 bytes"), log.toString());
      w.save(null, List.of(e(41, 1)), true);
    }
    try (Wal w = Wal.open(dir, options)) {
      assertEquals(41, w.recovered().entries().size());
    }
  }

  @Test
  @DisplayName("a torn header in a segment that is not the last is corruption")
  void tornHeaderInMiddle() throws IOException {
    byte[] data = Files.readAllBytes(dir.resolve(segments.get(1)));
    java.util.Arrays.fill(data, 10, data.length, (byte) 0);
    Files.write(dir.resolve(segments.get(1)), data);
    WalCorruptException ex = refuses();
    assertTrue(ex.getMessage().contains(segments.get(1)) && ex.getMessage().contains("header"),
        ex.getMessage());
  }
}
