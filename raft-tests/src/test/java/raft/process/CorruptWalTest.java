package raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A real member refuses to start on a corrupt WAL, saying which file, which offset and what to
 * do, and exits non-zero; a torn last record (power loss mid-write) is cut off by itself, with a
 * log line, and the member comes back with everything acknowledged.
 */
class CorruptWalTest {

  @Test
  @DisplayName("a flipped byte before the tail: the member refuses to start and names the file and offset")
  void corruptionBeforeTheTailStopsTheMember() throws Exception {
    Preconditions.requireEtcdctl();
    try (LocalCluster cluster = new LocalCluster(1, 400, "corrupt-wal").start()) {
      writeKeys(cluster, 30);
      assertEquals(0, cluster.cluster("stop").exit());
      Path segment = firstSegment(cluster);
      long end = lastNonZeroByte(segment);
      flipByte(segment, end / 2);

      LocalCluster.Result restart = cluster.cluster("restart", "n1");
      assertNotEquals(0, restart.exit(), restart::toString);
      String log = cluster.log(1);
      assertTrue(log.contains("WAL corrupt in ") && log.contains(segment.getFileName().toString())
          && log.contains("at byte offset"), log);
      assertTrue(log.contains("restore this member from a snapshot of a healthy member"), log);
    }
  }

  @Test
  @DisplayName("a torn last record is truncated with a log line, and every acknowledged write is back")
  void tornTailRecoversByItself() throws Exception {
    Preconditions.requireEtcdctl();
    try (LocalCluster cluster = new LocalCluster(1, 400, "torn-tail").start()) {
      writeKeys(cluster, 30);
      assertEquals(0, cluster.cluster("stop").exit());
      Path segment = firstSegment(cluster);
      long end = lastNonZeroByte(segment);
      try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
        f.seek(end + 1); // a record header promising 200 bytes, then only 3 of them
        f.write(new byte[] {0, 0, 0, (byte) 200, 0x11, 0x22, 0x33, 1, 2, 3});
      }
      LocalCluster.Result restart = cluster.cluster("restart", "n1");
      assertEquals(0, restart.exit(), restart::toString);
      cluster.awaitLeader(0, 20_000);
      assertTrue(cluster.log(1).contains("torn"), cluster.log(1));
      LocalCluster.Result get = cluster.etcdctl(null, "get", "key-", "--prefix", "--keys-only");
      assertEquals(30, get.out().lines().filter(l -> l.startsWith("key-")).count(), get::toString);
    }
  }

  private static void writeKeys(LocalCluster cluster, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      LocalCluster.Result r = cluster.etcdctl(null, "put", "key-" + i, "value-" + i);
      assertEquals(0, r.exit(), r::toString);
    }
  }

  private static Path firstSegment(LocalCluster cluster) throws Exception {
    try (Stream<Path> files = Files.list(cluster.data.resolve("n1/wal"))) {
      List<Path> segments = files.filter(p -> p.toString().endsWith(".wal")).sorted().toList();
      assertTrue(!segments.isEmpty(), "no WAL segment");
      return segments.get(0);
    }
  }

  // Segments are preallocated with zeros; the records end at the last non-zero byte.
  private static long lastNonZeroByte(Path segment) throws Exception {
    byte[] bytes = Files.readAllBytes(segment);
    for (int i = bytes.length - 1; i >= 0; i--) {
      if (bytes[i] != 0) {
        return i;
      }
    }
    throw new AssertionError("empty segment " + segment);
  }

  private static void flipByte(Path segment, long offset) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0xFF);
    }
  }
}
