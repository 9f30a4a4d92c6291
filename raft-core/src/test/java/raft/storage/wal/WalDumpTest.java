package raft.storage.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.storage.wal.WalTest.hs;
import static raft.storage.wal.WalTest.range;
import static raft.storage.wal.WalTest.snap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalDumpTest {

  @TempDir Path dir;
  List<String> segments;

  @BeforeEach
  void write() throws IOException {
    try (Wal w = Wal.open(dir, new Wal.Options(400, line -> { }))) {
      w.save(hs(1, 1, 0), range(1, 10, 1), true);
      w.save(hs(2, 2, 9), range(11, 20, 2), true);
      w.saveSnapshotMarker(snap(5, 1));
      segments = w.segmentFiles();
    }
  }

  String run(int expectedExit, String... args) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code = WalDump.run(args, new PrintStream(buf, true, StandardCharsets.UTF_8));
    String out = buf.toString(StandardCharsets.UTF_8);
    assertEquals(expectedExit, code, out);
    return out;
  }

  @Test
  @DisplayName("one line per record: file, offset, type, details")
  void dumpsRecords() {
    String out = run(0, "--data-dir", dir.toString());
    assertTrue(out.contains(segments.get(0) + " 0 header seq=1 firstIndex=1"), out);
    assertTrue(out.contains("entry index=1 term=1 ENTRY_NORMAL"), out);
    assertTrue(out.contains("hardstate term=2 vote=2 commit=9"), out);
    assertTrue(out.contains("snapshot index=5 term=1"), out);
  }

  @Test
  @DisplayName("--verify on a healthy WAL says OK")
  void verifyHealthy() {
    String out = run(0, "--data-dir", dir.toString(), "--verify");
    assertTrue(out.contains("OK: snapshot index=5 term=1, entries 6..20"), out);
  }

  @Test
  @DisplayName("--verify reports the first problem with file and offset, exit 1")
  void verifyCorrupt() throws IOException {
    String file = segments.get(0);
    int victim = SegmentScan.scan(Files.readAllBytes(dir.resolve(file))).records.get(3).offset();
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve(file).toFile(), "rw")) {
      f.seek(victim + 12);
      f.write(0x7f);
    }
    String out = run(1, "--data-dir", dir.toString(), "--verify");
    assertTrue(out.contains("FAIL: WAL corrupt in " + dir.resolve(file) + " at byte offset "
        + victim), out);
    assertTrue(out.contains(file + " " + victim + " PROBLEM CRC32C mismatch"), out);
  }

  @Test
  @DisplayName("--verify notes a torn tail but leaves the files untouched")
  void verifyTornTailIsReadOnly() throws IOException {
    Path last = dir.resolve(segments.get(segments.size() - 1));
    SegmentScan s = SegmentScan.scan(Files.readAllBytes(last));
    byte[] partial = {0, 0, 0, 40, 1, 2, 3, 4, 1, 9, 9};
    try (RandomAccessFile f = new RandomAccessFile(last.toFile(), "rw")) {
      f.seek(s.end);
      f.write(partial);
    }
    byte[] before = Files.readAllBytes(last);
    String out = run(0, "--data-dir", dir.toString(), "--verify");
    assertTrue(out.contains("note: WAL: torn tail") && out.contains("dropped 11 bytes"), out);
    assertArrayEquals(before, Files.readAllBytes(last));
  }

  @Test
  @DisplayName("bad arguments print usage, exit 2")
  void usage() {
    assertTrue(run(2, "--verify").contains("usage"));
  }
}
