package raft.kv.bbolt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer streams and the reader walks page by page: a JVM with a 16 MB heap writes and
 * reads back a 90 MB database. Holding the database (or a bucket) in memory would not fit.
 */
class BoltMemoryTest {
  static final int KEYS = 80_000;
  static final int VALUE = 1024;

  @TempDir Path dir;

  @Test
  void aDatabaseFiveTimesTheHeapIsWrittenAndRead() throws Exception {
    Path file = dir.resolve("big.db");
    Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin",
        "java").toString(), "-Xmx16m", "-XX:+UseSerialGC", "-cp",
        System.getProperty("java.class.path"), BoltMemoryTest.class.getName(), file.toString()))
        .redirectErrorStream(true).start();
    boolean ended = p.waitFor(120, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly();
    }
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(ended, "still running after 120 s: " + out);
    assertEquals(0, p.exitValue(), out);
    assertEquals("read " + KEYS, out.strip());
    assertTrue(Files.size(file) > 5 * (16L << 20), Files.size(file) + " bytes");
  }

  /** In the child JVM: write, then read and count. */
  public static void main(String[] args) throws IOException {
    Path file = Path.of(args[0]);
    byte[] value = new byte[VALUE];
    try (BoltWriter w = BoltWriter.create(file)) {
      w.bucket("key");
      for (int i = 0; i < KEYS; i++) {
        ByteBuffer.wrap(value).putInt(i);
        w.put(ByteBuffer.allocate(8).putLong(i).array(), value);
      }
    }
    long[] count = {0};
    try (BoltReader r = BoltReader.open(file)) {
      r.forEach("key", (k, v) -> {
        if (ByteBuffer.wrap(v).getInt() != ByteBuffer.wrap(k).getLong()) {
          throw new IOException("wrong value at key " + ByteBuffer.wrap(k).getLong());
        }
        count[0]++;
      });
    }
    System.out.println("read " + count[0]);
  }
}
