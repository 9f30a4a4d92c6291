package raft.storage.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.pb.WalMetadata;
import raft.storage.MemberIdentity;

/** The WAL's metadata record: whose log it is (issue 12, section 2). */
class WalIdentityTest {
  static final MemberIdentity N1 = new MemberIdentity(1, 0x1000_1234_5678L);
  static final MemberIdentity N2 = new MemberIdentity(2, 0x1000_1234_5678L);

  @TempDir
  Path dir;

  Wal open() throws IOException {
    return Wal.open(dir, Wal.Options.defaults().withSegmentBytes(4096).withLog(l -> { }));
  }

  @Test
  @DisplayName("a new WAL names no owner; once recorded it is read back, and another is refused")
  void recordedOnce() throws IOException {
    try (Wal w = open()) {
      assertEquals(Optional.empty(), w.identity());
      w.saveIdentity(N1);
      w.saveIdentity(N1); // the same again changes nothing
      assertThrows(IllegalStateException.class, () -> w.saveIdentity(N2));
    }
    try (Wal w = open()) {
      assertEquals(Optional.of(N1), w.identity());
    }
  }

  @Test
  @DisplayName("two different owners in one WAL (two members wrote it) are corruption")
  void twoOwnersAreCorruption() throws IOException {
    Path segment;
    try (Wal w = open()) {
      w.saveIdentity(N1);
      segment = dir.resolve(w.segmentFiles().get(0));
    }
    byte[] data = Files.readAllBytes(segment);
    byte[] payload = WalMetadata.newBuilder().setMemberId(2).setClusterId(N2.clusterId())
        .build().toByteArray();
    ByteBuffer rec = ByteBuffer.allocate(Records.framedSize(payload));
    Records.frame(rec, Records.METADATA, payload);
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      f.seek(Records.endOfNonZero(data, Records.HEADER_BYTES));
      f.write(rec.array());
    }
    WalCorruptException e = assertThrows(WalCorruptException.class, this::open);
    assertTrue(e.getMessage().contains("the metadata record says the WAL belongs to member 2 "
        + "of cluster 100012345678 but earlier records say member 1 of cluster 100012345678: "
        + "two members wrote this WAL"), e.getMessage());
  }
}
