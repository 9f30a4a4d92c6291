package raft.kv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import raft.kv.main.CliRun;

/**
 * {@code raftkv snapshot status} prints, for a database real etcd 3.4.23 saved, exactly what
 * {@code etcdctl snapshot status} printed for it (recorded here), in all three formats.
 */
class SnapshotStatusTest {
  private static String status(String fixture, String format) throws Exception {
    Path db = Path.of(SnapshotStatusTest.class.getResource("/raft/kv/backup/" + fixture).toURI());
    CliRun r = CliRun.run("snapshot", "status", "-w", format, db.toString());
    assertEquals(0, r.exit(), r::err);
    return r.out();
  }

  @Test
  void simpleJsonAndTableAreEtcdctls() throws Exception {
    assertEquals("3053217c, 9, 14, 33 kB\n", status("etcd-3.4.23.db", "simple"));
    assertEquals("{\"hash\":810754428,\"revision\":9,\"totalKey\":14,\"totalSize\":32768}\n",
        status("etcd-3.4.23.db", "json"));
    assertEquals("""
        +----------+----------+------------+------------+
        |   HASH   | REVISION | TOTAL KEYS | TOTAL SIZE |
        +----------+----------+------------+------------+
        | ef7a648f |        9 |         10 |      20 kB |
        +----------+----------+------------+------------+
        """, status("etcd-3.4.23-compacted.db", "table"));
  }
}
