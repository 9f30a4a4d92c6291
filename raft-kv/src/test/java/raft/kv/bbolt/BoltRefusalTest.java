package raft.kv.bbolt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged files: each is refused with a {@link BoltFormatException} that names the file, the
 * page where there is one, and the problem. The sample has an inline bucket "a", a two-level
 * bucket "key" (2,000 keys) and a one-key bucket "z".
 */
class BoltRefusalTest {
  private static final int PAGE = Layout.PAGE_SIZE;

  @TempDir Path dir;
  private Path file;
  private Meta meta;

  @BeforeEach
  void writeSample() throws IOException {
    file = dir.resolve("sample.db");
    try (BoltWriter w = BoltWriter.create(file)) {
      w.bucket("a");
      w.put(b("x"), b("1"));
      w.bucket("key");
      for (int i = 0; i < 2000; i++) {
        w.put(b(String.format("k%05d", i)), b("value " + i));
      }
      w.bucket("z");
      w.put(b("only"), new byte[2 * PAGE]);
    }
    try (PageFile pages = new PageFile(file, FileChannel.open(file), Files.size(file))) {
      meta = pages.meta;
    }
    readAll(); // the sample itself is fine
  }

  @Test
  void badMagicInBothMetas() throws IOException {
    patchInt(16, 0x12345678);
    patchInt(PAGE + 16, 0x12345678);
    refused(null, "no valid meta page: page 0: invalid database (magic 12345678, want ed0cdaed)"
        + "; page 1: invalid database");
  }

  @Test
  void bothMetasChecksumsWrong() throws IOException {
    patchLong(16 + 48, 7); // the txid: covered by the checksum
    patchLong(PAGE + 16 + 48, 7);
    refused(null, "page 0: checksum error (stored");
    String m = refused(null, "page 1: checksum error");
    assertTrue(m.contains("no valid meta page"), m);
  }

  @Test
  void versionMismatchInBothMetas() throws IOException {
    writeMetas(meta, 3);
    refused(null, "version mismatch (version 3, want 2)");
  }

  @Test
  void oneBadMetaFallsBackToTheOther() throws IOException {
    patchLong(16 + 48, 7); // meta 0 (txid 2) fails its checksum: meta 1 (txid 1) is used
    assertEquals(List.of("a", "key", "z"), readAll());
  }

  @Test
  void theValidMetaWithTheHigherTxidWins() throws IOException {
    // meta 1 rewritten with txid 3 and a high-water mark past the file: chosen, so refused
    byte[] page = new Meta(PAGE, meta.root(), meta.freelist(), 10_000, 3).toPage(1);
    patch(PAGE, page);
    refused(null, "the meta (txid 3) counts 10000 pages");
  }

  @Test
  void truncatedFile() throws IOException {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
      c.truncate(Files.size(file) - PAGE);
    }
    refused(null, "truncated or damaged: the meta (txid 2) counts " + meta.highWater()
        + " pages of 4096 bytes");
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
      c.truncate(40);
    }
    refused(null, "page 0: truncated (file of 40 bytes)");
  }

  @Test
  void aLengthBeyondTheFile() throws IOException {
    long size = Files.size(file);
    var e = assertThrows(BoltFormatException.class, () -> BoltReader.open(file, size + 32));
    assertTrue(e.getMessage().contains("truncated: " + size + " bytes"), e.getMessage());
  }

  @Test
  void rootPageOutsideTheFile() throws IOException {
    writeMetas(new Meta(PAGE, 999, meta.freelist(), meta.highWater(), 2), 2);
    refused(999L, "page 999 (the meta's root bucket) is outside the database (pages 2 to "
        + (meta.highWater() - 1));
  }

  @Test
  void branchChildOutsideTheFile() throws IOException {
    long branch = bucketRoot("key");
    patchLong(branch * PAGE + Layout.PAGE_HEADER + 8, 1_000_000); // element 0's pgid
    refused(1_000_000L, "(bucket \"key\", child 0 of branch page " + branch + ") is outside");
  }

  @Test
  void aBranchThatPointsAtItself() throws IOException {
    long branch = bucketRoot("key");
    patchLong(branch * PAGE + Layout.PAGE_HEADER + 8, branch);
    refused(branch, "page reached twice (bucket \"key\", child 0 of branch page " + branch
        + "): a cycle or a shared page");
  }

  /**
   * Two children of a branch sharing one empty leaf: no key is out of order, yet a few levels
   * of such branches would make the walk exponential. Refused at the second visit.
   */
  @Test
  void aBranchWithTwoChildrenSharingAPage() throws IOException {
    long branch = bucketRoot("key");
    long leaf = firstLeaf("key");
    patchShort(leaf * PAGE + 10, 0); // the leaf now holds no keys
    patchLong(branch * PAGE + Layout.PAGE_HEADER + Layout.BRANCH_ELEMENT + 8, leaf); // child 1
    refused(leaf, "page reached twice (bucket \"key\", child 1 of branch page " + branch);
  }

  @Test
  void aPageWithTheWrongIdOrType() throws IOException {
    long leaf = firstLeaf("key");
    patchShort(leaf * PAGE + 8, Layout.FREELIST);
    refused(leaf, "flags 0x10, expected a branch (0x01) or leaf (0x02) page");
    patchShort(leaf * PAGE + 8, Layout.LEAF);
    patchLong(leaf * PAGE, leaf + 1);
    refused(leaf, "header says page " + (leaf + 1));
  }

  @Test
  void anElementPastItsPage() throws IOException {
    long leaf = firstLeaf("key");
    patchInt(leaf * PAGE + Layout.PAGE_HEADER + 12, 100_000); // element 0's vsize
    refused(leaf, "element at offset 16 points at bytes");
    patchShort(leaf * PAGE + 10, 0xFFFF); // count: 65,535 elements cannot fit
    refused(leaf, "65535 elements do not fit in 4096 bytes");
  }

  @Test
  void keysOutOfOrder() throws IOException {
    long leaf = firstLeaf("key") + 1; // the second leaf: its keys must follow the first's
    ByteBuffer node = node(leaf);
    int keyAt = (int) leaf * PAGE + Layout.PAGE_HEADER + node.getInt(Layout.PAGE_HEADER + 4);
    patch(keyAt, b("a"));
    refused(leaf, "bucket \"key\": key 61");
  }

  @Test
  void nestedBucketsAreRefused() throws IOException {
    long leaf = firstLeaf("key");
    patchInt(leaf * PAGE + Layout.PAGE_HEADER, Layout.BUCKET_LEAF_FLAG);
    refused(leaf, "nested bucket 6b3030303030 (nested buckets are not supported)");
  }

  @Test
  void aPlainKeyAtTheTopLevel() throws IOException {
    patchInt(meta.root() * PAGE + Layout.PAGE_HEADER, 0); // bucket "a" loses its bucket flag
    refused(meta.root(), "the root bucket holds key 61, which is not a bucket");
  }

  @Test
  void aDamagedInlineBucket() throws IOException {
    long root = meta.root();
    ByteBuffer node = node(root);
    // bucket "a" is the root leaf's element 0; its value starts after the key "a"
    int valueAt = Layout.PAGE_HEADER + node.getInt(Layout.PAGE_HEADER + 4) + 1;
    patchShort(root * PAGE + valueAt + Layout.BUCKET_HEADER + 8, Layout.BRANCH);
    refused(root, "bucket \"a\" (inline): not a leaf page");
  }

  @Test
  void aDamagedFreelist() throws IOException {
    patchShort(meta.freelist() * PAGE + 8, Layout.LEAF);
    refused(meta.freelist(), "the meta's freelist page has flags 0x2, not 0x10 (freelist)");
  }

  @Test
  void aFreelistWithIdsAndTheLongCount() throws IOException {
    long at = meta.freelist() * PAGE;
    patchShort(at + 10, Layout.FREELIST_COUNT_OVERFLOW); // the real count is the first u64
    patchLong(at + 16, 2);
    patchLong(at + 24, 2);
    patchLong(at + 32, meta.highWater() - 1);
    assertEquals(List.of("a", "key", "z"), readAll()); // listed, not cross-checked
    patchLong(at + 32, meta.highWater());
    refused(meta.freelist(), "free page id " + meta.highWater() + " is outside the database");
    patchLong(at + 16, 1000);
    refused(meta.freelist(), "freelist of 1000 ids does not fit its 4096 bytes");
  }

  @Test
  void anAbsentBucketIsTheCallersMistake() throws IOException {
    try (BoltReader r = BoltReader.open(file)) {
      var e = assertThrows(IllegalArgumentException.class, () -> r.forEach("nope", (k, v) -> {}));
      assertTrue(e.getMessage().contains("no bucket \"nope\""), e.getMessage());
    }
  }

  // ---- helpers ----

  /** Reading the sample fails with a message naming the file, {@code page} and {@code text}. */
  private String refused(Long page, String text) {
    var e = assertThrows(BoltFormatException.class, this::readAll);
    String m = e.getMessage();
    assertTrue(m.startsWith("bbolt file " + file + ": "), m);
    if (page != null) {
      assertTrue(m.contains(": page " + page + ": "), m);
    }
    assertTrue(m.contains(text), "want \"" + text + "\" in: " + m);
    return m;
  }

  private List<String> readAll() throws IOException {
    try (BoltReader r = BoltReader.open(file)) {
      for (String name : r.buckets()) {
        r.forEach(name, (k, v) -> {});
      }
      return r.buckets();
    }
  }

  private long bucketRoot(String bucket) throws IOException {
    try (PageFile pages = new PageFile(file, FileChannel.open(file), Files.size(file))) {
      return ByteBuffer.wrap(BoltRoundTripTest.rootValue(pages, bucket))
          .order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }
  }

  private long firstLeaf(String bucket) throws IOException {
    ByteBuffer branch = node(bucketRoot(bucket));
    assertEquals(Layout.BRANCH, branch.getShort(8));
    return branch.getLong(Layout.PAGE_HEADER + 8);
  }

  private ByteBuffer node(long pgid) throws IOException {
    try (PageFile pages = new PageFile(file, FileChannel.open(file), Files.size(file))) {
      return pages.node(pgid, "test");
    }
  }

  private void writeMetas(Meta m, int version) throws IOException {
    for (int id = 0; id < 2; id++) {
      byte[] page = new Meta(m.pageSize(), m.root(), m.freelist(), m.highWater(), m.txid() - id)
          .toPage(id);
      ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN).putInt(Layout.PAGE_HEADER + 4, version)
          .putLong(Layout.PAGE_HEADER + Layout.META_CHECKSUMMED,
              Layout.fnv1a64(page, Layout.PAGE_HEADER, Layout.META_CHECKSUMMED));
      patch((long) id * PAGE, page);
    }
  }

  private void patchShort(long at, int v) throws IOException {
    patch(at, ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v).array());
  }

  private void patchInt(long at, int v) throws IOException {
    patch(at, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
  }

  private void patchLong(long at, long v) throws IOException {
    patch(at, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
  }

  private void patch(long at, byte[] bytes) throws IOException {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
      c.write(ByteBuffer.wrap(bytes), at);
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
