package raft.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.kv.api.mvccpb.KeyValue;
import raft.kv.bbolt.BoltReader;
import raft.kv.bbolt.BoltWriter;

/**
 * raft.kv.bbolt against real etcd 3.4 (ports from offset 110): BoltReader reads what
 * {@code etcdctl snapshot save} writes, and etcd opens, checks ({@code snapshot status} runs
 * bbolt's Tx.Check), restores, serves and writes to what BoltWriter writes.
 */
class BoltFormatEtcdTest {
  private static final int OFFSET = 110;
  private static final int CLIENT = 2379 + OFFSET;
  private static final int PEER = 2380 + OFFSET;
  private static final String ENDPOINT = "--endpoints=127.0.0.1:" + CLIENT;
  private static final int SHA256 = 32;

  @Test
  @DisplayName("issue 16: BoltReader reads etcd's snapshot: buckets, revisions, KeyValues, compaction, lease")
  void readsARealEtcdSnapshot() throws Exception {
    Preconditions.requireEtcdctl();
    Path dir = fresh("bbolt-etcd-read");
    Path snap = dir.resolve("snap.db");
    String lease;
    try (MemberProcess etcd = MemberProcess.etcd(dir, CLIENT, PEER)) {
      awaitServing(etcd);
      etcdctl("put", "foo", "bar"); // rev 2, compacted away below
      etcdctl("put", "foo", "baz"); // rev 3
      lease = etcdctl("lease", "grant", "600").split("\\s+")[1]; // "lease <hex> granted ..."
      etcdctl("put", "--lease=" + lease, "leased", "x"); // rev 4
      etcdctl("put", "gone", "y"); // rev 5
      etcdctl("del", "gone"); // rev 6, a tombstone
      etcdctl("compact", "--physical", "3"); // waits until rev 2 is gone from the file
      etcdctl("snapshot", "save", snap.toString());
    }
    long size = Files.size(snap);
    assertEquals(SHA256, size % 512, "etcd's snapshot is the db plus a SHA-256");
    Map<String, List<byte[][]>> db = readAll(snap, size - SHA256);
    assertTrue(db.keySet().containsAll(List.of("alarm", "cluster", "key", "lease", "members",
        "members_removed", "meta")), db.keySet().toString());
    List<String> revs = new ArrayList<>();
    for (byte[][] e : db.get("key")) {
      KeyValue kv = KeyValue.parseFrom(e[1]);
      revs.add(revision(e[0]) + " " + kv.getKey().toStringUtf8() + "=" + kv.getValue()
          .toStringUtf8() + " c" + kv.getCreateRevision() + " m" + kv.getModRevision() + " v"
          + kv.getVersion() + " l" + String.format("%016x", kv.getLease()));
    }
    String none = String.format("%016x", 0);
    String leased = String.format("%016x", Long.parseUnsignedLong(lease, 16));
    assertEquals(List.of("3_0 foo=baz c2 m3 v2 l" + none, "4_0 leased=x c4 m4 v1 l" + leased,
        "5_0 gone=y c5 m5 v1 l" + none, "6_0t gone= c0 m0 v0 l" + none), revs);
    assertEquals(1, db.get("lease").size());
    assertEquals(Long.parseUnsignedLong(lease, 16), ByteBuffer.wrap(db.get("lease").get(0)[0])
        .getLong());
    assertEquals("3_0", revision(value(db.get("meta"), "finishedCompactRev")));
    assertEquals(8, value(db.get("meta"), "consistent_index").length);
    assertEquals(1, db.get("members").size());
    // The trailer is harmless without the length too: only pages below the high-water mark.
    assertEquals(db.keySet(), readAll(snap, -1).keySet());
    // etcd's own data file (stopped), grown past its high-water mark and with free pages:
    // the same revisions.
    Map<String, List<byte[][]>> live = readAll(dir.resolve("etcd/member/snap/db"), -1);
    assertEquals(db.keySet(), live.keySet());
    assertEquals(db.get("key").size(), live.get("key").size());
    for (int i = 0; i < db.get("key").size(); i++) {
      assertArrayEquals(db.get("key").get(i)[0], live.get("key").get(i)[0]);
      assertArrayEquals(db.get("key").get(i)[1], live.get("key").get(i)[1]);
    }
    Status status = status(snap);
    assertEquals(6, status.revision());
    assertEquals(db.values().stream().mapToInt(List::size).sum(), status.totalKey());

    // etcd's file through our reader and writer: the same contents to etcd's own hash.
    Path copy = dir.resolve("copy.db");
    try (BoltReader r = BoltReader.open(snap, size - SHA256);
         BoltWriter w = BoltWriter.create(copy)) {
      for (String name : r.buckets()) {
        w.bucket(name);
        r.forEach(name, w::put);
      }
    }
    appendSha256(copy);
    assertEquals(status.withoutSize(), status(copy).withoutSize());
  }

  @Test
  @DisplayName("issue 16: etcd checks, restores, serves and writes to a file BoltWriter wrote")
  void etcdOpensWhatBoltWriterWrites() throws Exception {
    Preconditions.requireEtcdctl();
    Path dir = fresh("bbolt-etcd-write");
    Path file = dir.resolve("ours.db");
    int keys = 30_000; // revisions 2 .. keys + 1: several branch levels in bucket "key"
    byte[] big = new byte[3 * 4096 + 5]; // a value that needs overflow pages
    java.util.Arrays.fill(big, (byte) 'b');
    try (BoltWriter w = BoltWriter.create(file)) {
      w.bucket("alarm");
      w.bucket("key");
      for (int i = 0; i < keys; i++) {
        long rev = i + 2;
        String k = String.format("k%06d", i);
        byte[] v = i == 7 ? big : ("v" + i).getBytes(StandardCharsets.UTF_8);
        w.put(revisionKey(rev), KeyValue.newBuilder().setKey(utf8(k)).setValue(
            com.google.protobuf.ByteString.copyFrom(v)).setCreateRevision(rev).setModRevision(rev)
            .setVersion(1).build().toByteArray());
      }
      w.bucket("lease");
      w.bucket("members");
      w.bucket("members_removed");
      w.bucket("meta");
      w.put("consistent_index".getBytes(StandardCharsets.US_ASCII),
          ByteBuffer.allocate(8).putLong(keys + 1).array());
    }
    appendSha256(file);
    Status status = status(file);
    assertEquals(keys + 1, status.revision());
    assertEquals(keys + 1, status.totalKey());

    Path restored = dir.resolve("etcd");
    LocalCluster.Result r = LocalCluster.run(List.of("etcdctl", "snapshot", "restore",
        file.toString(), "--data-dir", restored.toString(), "--name", "e1", "--initial-cluster",
        "e1=http://127.0.0.1:" + PEER, "--initial-advertise-peer-urls",
        "http://127.0.0.1:" + PEER), null, 120);
    assertEquals(0, r.exit(), r.toString());
    try (MemberProcess etcd = MemberProcess.etcd(dir, CLIENT, PEER)) {
      awaitServing(etcd);
      assertEquals("k000003\nv3\n", etcdctl("get", "k000003"));
      assertEquals(new String(big, StandardCharsets.UTF_8), etcdctl("get", "k000007",
          "--print-value-only").strip());
      String count = etcdctl("get", "k", "--prefix", "--limit=1", "-w", "json");
      assertEquals(keys, field(count, "count"), count);
      assertEquals(keys + 1, field(count, "revision"), count);
      // bbolt writes into our file: a put, then a compaction, then a read.
      etcdctl("put", "k000003", "again");
      etcdctl("compact", String.valueOf(keys));
      assertEquals("k000003\nagain\n", etcdctl("get", "k000003"));
    }
  }

  private static Map<String, List<byte[][]>> readAll(Path file, long length) throws IOException {
    Map<String, List<byte[][]>> db = new LinkedHashMap<>();
    try (BoltReader r = BoltReader.open(file, length)) {
      for (String name : r.buckets()) {
        List<byte[][]> entries = new ArrayList<>();
        r.forEach(name, (k, v) -> entries.add(new byte[][] {k, v}));
        db.put(name, entries);
      }
    }
    return db;
  }

  private static byte[] value(List<byte[][]> bucket, String key) {
    return bucket.stream().filter(e -> new String(e[0], StandardCharsets.UTF_8).equals(key))
        .findFirst().orElseThrow(() -> new AssertionError("no " + key))[1];
  }

  /** etcd's revision key: main (8, big-endian), '_', sub (8), and 't' for a tombstone. */
  private static String revision(byte[] key) {
    assertTrue(key.length == 17 || key.length == 18 && key[17] == 't', key.length + " bytes");
    assertEquals('_', key[8]);
    ByteBuffer b = ByteBuffer.wrap(key);
    return b.getLong(0) + "_" + b.getLong(9) + (key.length == 18 ? "t" : "");
  }

  private static byte[] revisionKey(long main) {
    return ByteBuffer.allocate(17).putLong(main).put((byte) '_').putLong(0).array();
  }

  private static com.google.protobuf.ByteString utf8(String s) {
    return com.google.protobuf.ByteString.copyFromUtf8(s);
  }

  private static void appendSha256(Path file) throws Exception {
    byte[] sha = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
    Files.write(file, sha, StandardOpenOption.APPEND);
  }

  /** {@code etcdctl snapshot status -w json}: {"hash":..,"revision":..,"totalKey":..,..}. */
  record Status(long hash, long revision, long totalKey, long totalSize) {
    Status withoutSize() {
      return new Status(hash, revision, totalKey, 0);
    }
  }

  private static Status status(Path file) throws Exception {
    LocalCluster.Result r = LocalCluster.run(List.of("etcdctl", "snapshot", "status",
        file.toString(), "-w", "json"), null, 60);
    assertEquals(0, r.exit(), r.toString());
    return new Status(field(r.out(), "hash"), field(r.out(), "revision"),
        field(r.out(), "totalKey"), field(r.out(), "totalSize"));
  }

  private static long field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
    assertTrue(m.find(), name + " in " + json);
    return Long.parseLong(m.group(1));
  }

  private static String etcdctl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("etcdctl", ENDPOINT));
    cmd.addAll(List.of(args));
    LocalCluster.Result r = LocalCluster.run(cmd, null, 60);
    assertEquals(0, r.exit(), String.join(" ", cmd) + ": " + r);
    return r.out();
  }

  private static void awaitServing(MemberProcess etcd) throws Exception {
    for (int i = 0; i < 150; i++) {
      LocalCluster.Result r = LocalCluster.run(List.of("etcdctl", ENDPOINT,
          "--command-timeout=2s", "endpoint", "health"), null, 10);
      if (r.exit() == 0) {
        return;
      }
      assertTrue(etcd.isAlive(), "etcd exited:\n" + etcd.logText());
      Thread.sleep(200);
    }
    throw new AssertionError("etcd never became healthy:\n" + etcd.logText());
  }

  private static Path fresh(String name) throws IOException {
    Path dir = LocalCluster.REPO.resolve("raft-tests/target/" + name);
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    Files.createDirectories(dir);
    return dir;
  }
}
