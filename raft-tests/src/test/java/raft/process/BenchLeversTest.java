package raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * scripts/bench-levers on a tiny run (port offset 345): two variants of a 3-member cluster, one
 * round of put64 for 2 s each, give a table with both variants, ops/s and bytes allocated per op
 * above zero; afterwards no member is left running and no port of the run is listening. Also
 * its --help, and a clear error with exit 2 for a bad argument. About 40 s, as measured without
 * the members' AOT cache; the variants go without one (ENV=RAFTKV_NODE_AOT=off), since each
 * variant's options would first train a cache of their own on Java 25 (20-45 s each).
 */
class BenchLeversTest {
  private static final int OFFSET = 345;
  private static final Path SCRIPT = LocalCluster.REPO.resolve("scripts/bench-levers");
  private static final Path OUT = LocalCluster.REPO.resolve("raft-tests/target/bench-levers");
  private static final int[] CLIENT_PORTS = {2379, 22379, 32379};

  @Test
  @DisplayName("two variants side by side: both in the table with ops/s and bytes/op, nothing left running")
  void twoVariantsSideBySide() throws Exception {
    clearOut();
    LocalCluster.Result r = LocalCluster.run(List.of("bash", SCRIPT.toString(),
        "--variant", "plain|ENV=RAFTKV_NODE_AOT=off",
        "--variant", "young32|OPTS=-Xms128m -Xmx256m -Xmn32m -XX:+UseSerialGC"
            + " -XX:TieredStopAtLevel=1|ENV=RAFTKV_NODE_AOT=off",
        "--rounds", "1", "--duration", "2", "--warmup", "2", "--idle", "1",
        "--workloads", "put64", "--port-offset", Integer.toString(OFFSET),
        "--out", OUT.toString()), null, 150);
    try {
      assertEquals(0, r.exit(), r.out());
      String table = Files.readString(onlyReport());
      for (String variant : List.of("plain", "young32")) {
        String[] cells = row(table, "put64", variant);
        assertTrue(number(cells[2]) > 0, "ops/s of " + variant + ":\n" + table);
        assertTrue(number(cells[8]) > 0, "bytes/op of " + variant + ":\n" + table);
      }
      assertTrue(table.contains("x first"), table);
    } finally {
      assertNothingLeft(r.out());
    }
  }

  @Test
  @DisplayName("--help describes it; a bad argument is a clear error with exit 2")
  void helpAndBadArguments() throws Exception {
    LocalCluster.Result help = LocalCluster.run(List.of("bash", SCRIPT.toString(), "--help"),
        null, 30);
    assertEquals(0, help.exit(), help.out());
    assertTrue(help.out().contains("--variant 'name|KEY=VAL|KEY=VAL'"), help.out());
    LocalCluster.Result unknown = LocalCluster.run(List.of("bash", SCRIPT.toString(),
        "--variant", "a|", "--frobnicate"), null, 30);
    assertEquals(2, unknown.exit(), unknown.out());
    assertTrue(unknown.out().contains("unknown argument '--frobnicate'"), unknown.out());
    LocalCluster.Result badKey = LocalCluster.run(List.of("bash", SCRIPT.toString(),
        "--variant", "a|HEAP=1g"), null, 30);
    assertEquals(2, badKey.exit(), badKey.out());
    assertTrue(badKey.out().contains("unknown key 'HEAP'"), badKey.out());
  }

  /** OUT holds only the reports of earlier runs: files, no folders. */
  private static void clearOut() throws IOException {
    if (Files.isDirectory(OUT)) {
      try (Stream<Path> files = Files.list(OUT)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
    }
  }

  private static Path onlyReport() throws IOException {
    try (Stream<Path> files = Files.list(OUT)) {
      List<Path> md = files.filter(f -> f.toString().endsWith(".md")).toList();
      assertEquals(1, md.size(), md.toString());
      return md.get(0);
    }
  }

  /** The cells of the table row for this workload and variant, without the outer pipes. */
  private static String[] row(String table, String workload, String variant) {
    for (String line : table.split("\n")) {
      String[] cells = line.split("\\|", -1);
      if (cells.length > 3 && cells[1].trim().equals(workload)
          && cells[2].trim().equals(variant)) {
        String[] inner = new String[cells.length - 2];
        for (int i = 1; i < cells.length - 1; i++) {
          inner[i - 1] = cells[i].trim();
        }
        return inner;
      }
    }
    throw new AssertionError("no row for " + workload + " " + variant + " in:\n" + table);
  }

  /** A cell's median: "1234" or "1234 [1000-1400]". */
  private static double number(String cell) {
    return Double.parseDouble(cell.split(" ")[0]);
  }

  private static void assertNothingLeft(String out) {
    List<String> left = new ArrayList<>();
    ProcessHandle.allProcesses().forEach(p -> p.info().commandLine()
        .filter(c -> c.contains("bench-levers-" + OFFSET)).ifPresent(left::add));
    assertTrue(left.isEmpty(), "still running: " + left + "\n" + out);
    for (int base : CLIENT_PORTS) {
      for (int port : new int[] {base + OFFSET, base + OFFSET + 1, base + OFFSET + 2}) {
        assertFalse(listening(port), "port " + port + " still listening\n" + out);
      }
    }
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
