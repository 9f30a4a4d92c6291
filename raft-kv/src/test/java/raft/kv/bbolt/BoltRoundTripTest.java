package raft.kv.bbolt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BoltRoundTripTest {

  @TempDir Path dir;

  /** Buckets in name order, each a sorted map of its entries (keys compared unsigned). */
  static Map<String, TreeMap<byte[], byte[]>> read(Path file) throws IOException {
    Map<String, TreeMap<byte[], byte[]>> out = new java.util.LinkedHashMap<>();
    try (BoltReader r = BoltReader.open(file)) {
      for (String name : r.buckets()) {
        TreeMap<byte[], byte[]> entries = new TreeMap<>(java.util.Arrays::compareUnsigned);
        List<byte[]> order = new ArrayList<>();
        r.forEach(name, (k, v) -> {
          order.add(k);
          entries.put(k, v);
        });
        assertEquals(entries.size(), order.size(), "duplicate keys in " + name);
        assertEquals(new ArrayList<>(entries.keySet()), order, "keys out of order in " + name);
        out.put(name, entries);
      }
    }
    return out;
  }

  static void write(Path file, Map<String, TreeMap<byte[], byte[]>> db) throws IOException {
    try (BoltWriter w = BoltWriter.create(file)) {
      for (var bucket : db.entrySet()) {
        w.bucket(bucket.getKey());
        for (var e : bucket.getValue().entrySet()) {
          w.put(e.getKey(), e.getValue());
        }
      }
    }
  }

  static void assertSame(Map<String, TreeMap<byte[], byte[]>> want,
      Map<String, TreeMap<byte[], byte[]>> got) {
    assertEquals(List.copyOf(want.keySet()), List.copyOf(got.keySet()));
    for (String name : want.keySet()) {
      var w = List.copyOf(want.get(name).entrySet());
      var g = List.copyOf(got.get(name).entrySet());
      assertEquals(w.size(), g.size(), "entries of " + name);
      for (int i = 0; i < w.size(); i++) {
        assertArrayEquals(w.get(i).getKey(), g.get(i).getKey(), name + " key " + i);
        assertArrayEquals(w.get(i).getValue(), g.get(i).getValue(), name + " value " + i);
      }
    }
  }

  static TreeMap<byte[], byte[]> entries() {
    return new TreeMap<>(java.util.Arrays::compareUnsigned);
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void roundTrip(Map<String, TreeMap<byte[], byte[]>> db) throws IOException {
    Path file = dir.resolve("db");
    write(file, db);
    assertEquals(0, Files.size(file) % Layout.PAGE_SIZE);
    assertSame(db, read(file));
  }

  @Test
  void emptyDatabase() throws IOException {
    Path file = dir.resolve("db");
    BoltWriter.create(file).close();
    // metas, the root bucket's empty leaf and the freelist: what bbolt's init writes
    assertEquals(4 * Layout.PAGE_SIZE, Files.size(file));
    try (BoltReader r = BoltReader.open(file)) {
      assertEquals(List.of(), r.buckets());
    }
  }

  @Test
  void oneBucketAndAnEmptyOne() throws IOException {
    var db = new java.util.LinkedHashMap<String, TreeMap<byte[], byte[]>>();
    db.put("alarm", entries());
    var key = entries();
    key.put(b("a"), b("1"));
    key.put(b("b"), new byte[0]);
    db.put("key", key);
    roundTrip(db);
  }

  @Test
  void manyBuckets() throws IOException {
    var db = new java.util.LinkedHashMap<String, TreeMap<byte[], byte[]>>();
    for (int i = 0; i < 600; i++) {
      var e = entries();
      for (int j = 0; j < i % 7; j++) {
        e.put(b("k" + j), b("v" + i + "/" + j));
      }
      db.put(String.format("bucket-%04d", i), e);
    }
    roundTrip(db); // 600 bucket entries: the root bucket itself needs a branch
  }

  @Test
  void hundredThousandKeysMakeSeveralBranchLevels() throws IOException {
    var key = entries();
    for (int i = 0; i < 100_000; i++) {
      key.put(ByteBuffer.allocate(17).putLong(i).put((byte) '_').putLong(0).array(),
          b("value-" + i));
    }
    var db = new java.util.LinkedHashMap<String, TreeMap<byte[], byte[]>>();
    db.put("key", key);
    Path file = dir.resolve("db");
    write(file, db);
    assertSame(db, read(file));
    assertTrue(depth(file, "key") >= 3, "depth " + depth(file, "key"));
  }

  @Test
  void valuesBiggerThanAPageGetOverflowPages() throws IOException {
    var e = entries();
    Random random = new Random(7);
    for (int i = 0; i < 40; i++) {
      byte[] v = new byte[i % 5 == 0 ? 3 * Layout.PAGE_SIZE + i : 100 * i];
      random.nextBytes(v);
      e.put(b(String.format("k%03d", i)), v);
    }
    var db = new java.util.LinkedHashMap<String, TreeMap<byte[], byte[]>>();
    db.put("big", e);
    roundTrip(db);
  }

  @Test
  void keysOfManySizes() throws IOException {
    var e = entries();
    Random random = new Random(11);
    for (int size : new int[] {1, 2, 3, 15, 16, 17, 255, 256, 1000, 4000, 4096, 5000, 32768}) {
      for (int n = 0; n < 3; n++) {
        byte[] k = new byte[size];
        random.nextBytes(k);
        e.put(k, b("size " + size));
      }
    }
    var db = new java.util.LinkedHashMap<String, TreeMap<byte[], byte[]>>();
    db.put("keys", e);
    roundTrip(db);
  }

  @Test
  void smallBucketsAreWrittenInlineAndReadBack() throws IOException {
    var small = entries();
    small.put(b("clusterVersion"), b("3.4.0"));
    var db = new java.util.LinkedHashMap<String, TreeMap<byte[], byte[]>>();
    db.put("cluster", small);
    db.put("members_removed", entries());
    Path file = dir.resolve("db");
    write(file, db);
    // both inline: metas, root leaf, freelist and nothing else
    assertEquals(4 * Layout.PAGE_SIZE, Files.size(file));
    assertSame(db, read(file));
  }

  @Test
  void theWriterRefusesWhatBboltWouldNot() throws IOException {
    try (BoltWriter w = BoltWriter.create(dir.resolve("db"))) {
      assertThrows(IllegalStateException.class, () -> w.put(b("a"), b("1")));
      w.bucket("b");
      assertThrows(IllegalArgumentException.class, () -> w.bucket("a"));
      assertThrows(IllegalArgumentException.class, () -> w.bucket("b"));
      w.put(b("k2"), b("v"));
      var e = assertThrows(IllegalArgumentException.class, () -> w.put(b("k1"), b("v")));
      assertTrue(e.getMessage().contains("not after key 6b32"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> w.put(b("k2"), b("v")));
      assertThrows(IllegalArgumentException.class, () -> w.put(new byte[0], b("v")));
      assertThrows(IllegalArgumentException.class, () -> w.put(new byte[32769], b("v")));
      // unsigned order: 0x80 sorts after 0x7f
      w.put(new byte[] {0x7f}, b("v"));
      w.put(new byte[] {(byte) 0x80}, b("v"));
    }
  }

  /** Levels of the bucket's tree: 1 for a single leaf. */
  static int depth(Path file, String bucket) throws IOException {
    try (PageFile pages = new PageFile(file, java.nio.channels.FileChannel.open(file),
        Files.size(file))) {
      long pgid = ByteBuffer.wrap(rootValue(pages, bucket)).order(ByteOrder.LITTLE_ENDIAN)
          .getLong(0);
      int depth = 1;
      for (ByteBuffer node = pages.node(pgid, "test"); (node.getShort(8) & 0xffff) == Layout.BRANCH;
          depth++) {
        node = pages.node(node.getLong(Layout.PAGE_HEADER + 8), "test"); // first child
      }
      return depth;
    }
  }

  /** The bucket's value in a single-leaf root bucket. */
  static byte[] rootValue(PageFile pages, String bucket) throws IOException {
    ByteBuffer root = pages.node(pages.meta.root(), "test");
    int count = root.getShort(10) & 0xffff;
    for (int i = 0; i < count; i++) {
      int elem = Layout.PAGE_HEADER + Layout.LEAF_ELEMENT * i;
      byte[] k = new byte[root.getInt(elem + 8)];
      root.get(elem + root.getInt(elem + 4), k);
      if (new String(k, StandardCharsets.UTF_8).equals(bucket)) {
        byte[] v = new byte[root.getInt(elem + 12)];
        root.get(elem + root.getInt(elem + 4) + k.length, v);
        return v;
      }
    }
    throw new AssertionError("no bucket " + bucket);
  }
}
