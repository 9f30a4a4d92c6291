package raft.storage.durable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import raft.storage.MemberIdentity;
import raft.storage.snap.SnapshotStore;
import raft.storage.wal.Wal;

/** The data directory's lock, writability check and owner check (issue 12, section 2). */
class DataDirTest {
  static final List<Long> PEERS = List.of(1L, 2L, 3L);
  static final MemberIdentity N1 = new MemberIdentity(1, 0x1000_1234_5678L);
  static final MemberIdentity N2 = new MemberIdentity(2, 0x1000_1234_5678L);
  static final MemberIdentity OTHER_CLUSTER = new MemberIdentity(1, 0x1000_9999_0000L);

  @TempDir
  Path dir;
  final List<String> log = new ArrayList<>();

  DurableStorage open(MemberIdentity id) throws IOException {
    return DurableStorage.open(dir, PEERS, new DurableStorage.Options(512, 5, Long.MAX_VALUE, log::add, id));
  }

  @Test
  @DisplayName("a second lock is refused, naming the holder and its pid; closing frees it")
  void lockIsExclusive() throws IOException {
    try (DataDirLock first = DataDirLock.acquire(dir, "member n1")) {
      DataDirLock.InUseException e = assertThrows(DataDirLock.InUseException.class,
          () -> DataDirLock.acquire(dir, "member n2"));
      assertTrue(e.getMessage().startsWith("data directory " + dir + " is in use by member n1 "
          + "(pid " + ProcessHandle.current().pid() + ")"), e.getMessage());
      DataDirCheck.checkWritable(dir); // must not disturb the lock (it never opens its file)
      assertThrows(DataDirLock.InUseException.class, () -> DataDirLock.acquire(dir, "again"));
    }
    DataDirLock.acquire(dir.resolve("new"), "member n2").close(); // creates the directory
    DataDirLock.acquire(dir, "member n2").close();
  }

  @Test
  @DisplayName("a second lock refused in this JVM leaves the first in force for other processes")
  void refusedSecondLockKeepsTheFirst() throws Exception {
    try (DataDirLock first = DataDirLock.acquire(dir, "member n1")) {
      assertThrows(DataDirLock.InUseException.class, () -> DataDirLock.acquire(dir, "n1 again"));
      // POSIX locks drop when the process closes any descriptor of the file: another process
      // must still find the directory locked.
      assertEquals(3, lockFromAnotherProcess(dir.resolve(DataDirLock.FILE)),
          "another process could lock the directory: the refused second lock dropped the first");
    }
    assertEquals(0, lockFromAnotherProcess(dir.resolve(DataDirLock.FILE)));
  }

  /** Runs a child JVM that tries to lock {@code file}: exit 0 if it got it, 3 if not. */
  private int lockFromAnotherProcess(Path file) throws Exception {
    Path probe = Files.createTempDirectory("lock-probe").resolve("LockProbe.java");
    Files.writeString(probe, "import java.nio.channels.FileChannel;\n"
        + "import java.nio.file.*;\n"
        + "public class LockProbe { public static void main(String[] a) throws Exception {\n"
        + "  try (FileChannel c = FileChannel.open(Path.of(a[0]), StandardOpenOption.WRITE)) {\n"
        + "    System.exit(c.tryLock() != null ? 0 : 3); } } }\n");
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(javaBin, probe.toString(), file.toString()).inheritIO().start();
    assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the probe did not end");
    return p.exitValue();
  }

  @Test
  @DisplayName("a new directory records its owner in the WAL; the owner reopens it, another "
      + "member or cluster is refused saying what does not match")
  void ownerIsRecordedAndChecked() throws IOException {
    open(N1).close();
    try (Wal w = Wal.open(dir.resolve("wal"), Wal.Options.defaults())) {
      assertEquals(Optional.of(N1), w.identity());
    }
    open(N1).close();
    DataDirCheck.IdentityMismatchException e = assertThrows(
        DataDirCheck.IdentityMismatchException.class, () -> open(N2));
    assertEquals(N1, e.recorded());
    assertEquals(N2, e.expected());
    assertEquals("data directory " + dir + " belongs to member 1 of cluster 100012345678 (its "
        + "WAL says so), but this is member 2 of cluster 100012345678: start it with the ids it "
        + "was made with, or give it its own data directory", e.getMessage());
    assertThrows(DataDirCheck.IdentityMismatchException.class, () -> open(OTHER_CLUSTER));
    open(N1).close(); // the refusals changed nothing
  }

  @Test
  @DisplayName("a directory of an older version (no owner recorded) opens and gets its owner")
  void olderDirectoryGetsItsOwner() throws IOException {
    try (DurableStorage s = open(null)) {
      s.persist(DurableStorageTest.ready(DurableStorageTest.hs(1, 1, 3),
          DurableStorageTest.range(1, 3, 1), null));
    }
    try (DurableStorage s = open(N1)) {
      assertEquals(3, s.lastIndex());
    }
    assertTrue(log.stream().anyMatch(l -> l.contains("recorded in the WAL that it belongs to "
        + "member 1 of cluster 100012345678")), log::toString);
    assertThrows(DataDirCheck.IdentityMismatchException.class, () -> open(N2));
  }

  @Test
  @DisplayName("the owner survives segment rolls and releases: every segment starts with it")
  void ownerSurvivesReleasedSegments() throws IOException {
    try (DurableStorage s = open(N1)) {
      for (long i = 1; i <= 60; i += 10) {
        s.persist(DurableStorageTest.ready(DurableStorageTest.hs(1, 1, i + 9),
            DurableStorageTest.range(i, i + 9, 1), null));
      }
      s.createSnapshot(55, ConfState.newBuilder().addAllVoters(PEERS).build(),
          ByteString.copyFromUtf8("state"));
      assertFalse(s.walSegments().get(0).startsWith("0000000000000001-"),
          "the first segment, which had the saveIdentity record, is gone");
    }
    try (DurableStorage s = open(N1)) {
      assertEquals(60, s.lastIndex());
    }
    assertThrows(DataDirCheck.IdentityMismatchException.class, () -> open(N2));
  }

  @Test
  @DisplayName("a snapshot names its owner in its header: a directory holding only another "
      + "member's snapshot is refused")
  void snapshotHeaderNamesTheOwner() throws IOException {
    try (DurableStorage s = open(N1)) {
      s.persist(DurableStorageTest.ready(DurableStorageTest.hs(1, 1, 5),
          DurableStorageTest.range(1, 5, 1), null));
      s.createSnapshot(5, ConfState.newBuilder().addAllVoters(PEERS).build(),
          ByteString.copyFromUtf8("state"));
    }
    SnapshotStore snaps = SnapshotStore.open(dir.resolve("snap"), log::add);
    assertEquals(Optional.of(N1), snaps.newestIdentity());
    try (var files = Files.list(dir.resolve("wal"))) {
      for (Path f : files.toList()) {
        Files.delete(f); // only the snapshot is left to say whose directory it is
      }
    }
    DataDirCheck.IdentityMismatchException e = assertThrows(
        DataDirCheck.IdentityMismatchException.class, () -> open(N2));
    assertTrue(e.getMessage().contains("(its newest snapshot says so)"), e.getMessage());
  }

  @Test
  @DisplayName("a directory that cannot be written is refused at open, even for root")
  void readOnlyDirectoryIsRefused() throws Exception {
    open(N1).close();
    assumeTrue(chattr("+i"), "chattr +i is not available here");
    try {
      IOException e = assertThrows(IOException.class, () -> open(N1));
      assertTrue(e.getMessage().startsWith("data directory " + dir + " is not writable: "
          + "cannot write " + dir), e.getMessage());
      assertTrue(e.getMessage().contains("Operation not permitted"), e.getMessage());
      IOException locked = assertThrows(IOException.class,
          () -> DataDirLock.acquire(dir, "member n1"));
      assertTrue(locked.getMessage().contains("is not writable"), locked.getMessage());
    } finally {
      assertTrue(chattr("-i"), "chattr -i failed: " + dir + " stays immutable");
    }
    open(N1).close();
  }

  private boolean chattr(String flag) throws Exception {
    try {
      Process p = new ProcessBuilder("chattr", "-R", flag, dir.toString())
          .redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0;
    } catch (IOException notInstalled) {
      return false;
    }
  }
}
