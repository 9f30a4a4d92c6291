package raft.kv.bbolt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.api.mvccpb.KeyValue;

/**
 * Files real etcd 3.4.23 wrote ({@code etcdctl snapshot save}, SHA-256 trailer included), kept
 * as test resources so that the reader meets bbolt's own output without etcd installed: inline
 * buckets, a synced-freelist-less meta (etcd's NoFreelistSync), branch pages, an overflow leaf.
 * The expected figures are what {@code etcdctl snapshot status -w json} printed for each file;
 * its hash is CRC-32C over every bucket's name followed by its keys and values, so matching it
 * shows that the reader returned every byte bbolt did, in bbolt's order.
 *
 * <p>Made with: {@code etcdctl put foo bar; put foo baz; lease grant 600; put --lease=.. leased
 * x; put gone y; del gone; compact 3} (the small one), and 1,500 puts {@code k00000..k01499}
 * plus {@code big} = 20,000 × 'z' (the large one), then {@code snapshot save}.
 */
class BoltEtcdFilesTest {

  @TempDir Path dir;

  private Path resource(String name) throws IOException {
    Path file = dir.resolve(name.replace(".gz", ""));
    try (InputStream in = new GZIPInputStream(getClass().getResourceAsStream(name))) {
      Files.copy(in, file);
    }
    return file;
  }

  /** etcdctl snapshot status: hash, revision (the last key's main revision), totalKey. */
  private static long[] status(BoltReader r) throws IOException {
    CRC32C crc = new CRC32C();
    long[] revisionAndCount = new long[2];
    for (String name : r.buckets()) {
      crc.update(name.getBytes(StandardCharsets.UTF_8));
      r.forEach(name, (k, v) -> {
        crc.update(k);
        crc.update(v);
        if (name.equals("key")) {
          revisionAndCount[0] = ByteBuffer.wrap(k).getLong(0);
        }
        revisionAndCount[1]++;
      });
    }
    return new long[] {crc.getValue(), revisionAndCount[0], revisionAndCount[1]};
  }

  @Test
  void readsEtcdsSmallSnapshotWithInlineBuckets() throws IOException {
    Path file = resource("etcd-3.4.23-lease-delete-compact.db.gz");
    assertEquals(20480 + 32, Files.size(file));
    try (BoltReader r = BoltReader.open(file, Files.size(file) - 32)) {
      assertEquals(List.of("alarm", "auth", "authRoles", "authUsers", "cluster", "key", "lease",
          "members", "members_removed", "meta"), r.buckets());
      assertArrayEquals(new long[] {84062370L, 6, 11}, status(r));
      StringBuilder keys = new StringBuilder();
      r.forEach("key", (k, v) -> keys.append(KeyValue.parseFrom(v).getKey().toStringUtf8())
          .append(k.length == 18 ? "(deleted)" : "").append(' '));
      assertEquals("foo leased gone gone(deleted) ", keys.toString());
    }
  }

  @Test
  void readsEtcdsBranchAndOverflowPages() throws IOException {
    Path file = resource("etcd-3.4.23-1505-keys.db.gz");
    try (BoltReader r = BoltReader.open(file, Files.size(file) - 32)) {
      assertArrayEquals(new long[] {2699707251L, 1502, 1505}, status(r));
      KeyValue[] last = new KeyValue[1];
      r.forEach("key", (k, v) -> last[0] = KeyValue.parseFrom(v));
      assertEquals("big", last[0].getKey().toStringUtf8());
      assertEquals("z".repeat(20_000), last[0].getValue().toStringUtf8());
    }
    // The trailer is harmless when reading the whole file: nothing past the high-water mark.
    try (BoltReader r = BoltReader.open(file)) {
      assertEquals(1505, status(r)[2]);
    }
  }

  @Test
  void ourCopyOfEtcdsFileReadsTheSame() throws IOException {
    Path file = resource("etcd-3.4.23-1505-keys.db.gz");
    Path copy = dir.resolve("copy.db");
    try (BoltReader r = BoltReader.open(file, Files.size(file) - 32);
         BoltWriter w = BoltWriter.create(copy)) {
      for (String name : r.buckets()) {
        w.bucket(name);
        r.forEach(name, w::put);
      }
    }
    try (BoltReader r = BoltReader.open(copy)) {
      assertArrayEquals(new long[] {2699707251L, 1502, 1505}, status(r));
    }
    assertTrue(Files.size(copy) < Files.size(file), "no free pages, fuller leaves");
  }
}
