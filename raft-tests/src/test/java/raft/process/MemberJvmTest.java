package raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RangeRequest;

/**
 * Which java the launcher runs members on (issue 18): the newest JDK >= 25 under /usr/lib/jvm
 * with its options and the AOT cache, or the one RAFTKV_NODE_JAVA names; seen from outside, in
 * /proc/PID/exe and /proc/PID/cmdline, and with a write and a read through the members.
 */
class MemberJvmTest {
  private static final int OFFSET = 310;

  @Test
  @DisplayName("where Java 25 is installed, members run on it with compact headers, the AOT"
      + " cache and no warnings in their logs")
  void membersRunOnJava25() throws Exception {
    Preconditions.requireEtcdctl();
    Optional<Path> jdk25 = newestJdkFrom25();
    Assumptions.assumeTrue(jdk25.isPresent(), "no JDK >= 25 under /usr/lib/jvm: members run"
        + " on the launcher's java, which the other test covers");
    try (LocalCluster cluster = new LocalCluster(3, OFFSET, "member-jvm-25").start()) {
      for (int k = 1; k <= 3; k++) {
        long pid = pid(cluster, k);
        assertEquals(jdk25.get().resolve("bin/java").toRealPath(), exe(pid));
        List<String> cmd = cmdline(pid);
        assertTrue(cmd.contains("-XX:+UseCompactObjectHeaders"), cmd.toString());
        assertTrue(cmd.contains("--enable-native-access=ALL-UNNAMED"), cmd.toString());
        assertTrue(cmd.stream().anyMatch(a -> a.startsWith("-XX:AOTCache=")),
            "the cache made by the training run at start: " + cmd + "\n"
            + cluster.startOutput());
      }
      writeAndRead(cluster);
      for (int k = 1; k <= 3; k++) {
        String log = cluster.log(k);
        assertFalse(log.contains("WARNING") || log.contains("[aot]"), "n" + k + ":\n" + log);
      }
    }
  }

  @Test
  @DisplayName("RAFTKV_NODE_JAVA picks the members' java: the launcher's own (17 here) works")
  void membersRunOnTheNamedJava() throws Exception {
    Preconditions.requireEtcdctl();
    Path home = Path.of(System.getProperty("java.home"));
    try (LocalCluster cluster = new LocalCluster(3, OFFSET, "member-jvm-named")
        .withEnv("RAFTKV_NODE_JAVA", home.toString()).start()) {
      for (int k = 1; k <= 3; k++) {
        long pid = pid(cluster, k);
        assertEquals(home.resolve("bin/java").toRealPath(), exe(pid));
        List<String> cmd = cmdline(pid);
        if (Runtime.version().feature() < 25) {
          assertTrue(cmd.contains("-XX:TieredStopAtLevel=1"), cmd.toString());
          assertFalse(cmd.stream().anyMatch(a -> a.contains("CompactObjectHeaders")
              || a.contains("AOTCache") || a.contains("native-access")), cmd.toString());
        }
      }
      writeAndRead(cluster);
    }
  }

  private static void writeAndRead(LocalCluster cluster) {
    ByteString key = ByteString.copyFromUtf8("jvm");
    KVGrpc.newBlockingStub(cluster.channel(1)).put(PutRequest.newBuilder().setKey(key)
        .setValue(ByteString.copyFromUtf8("25")).build());
    assertEquals("25", KVGrpc.newBlockingStub(cluster.channel(3))
        .range(RangeRequest.newBuilder().setKey(key).build()).getKvs(0).getValue()
        .toStringUtf8());
  }

  private static long pid(LocalCluster cluster, int k) throws IOException {
    return Long.parseLong(Files.readString(cluster.data.resolve("n" + k + ".pid")).trim());
  }

  private static Path exe(long pid) throws IOException {
    return Path.of("/proc/" + pid + "/exe").toRealPath();
  }

  private static List<String> cmdline(long pid) throws IOException {
    String raw = Files.readString(Path.of("/proc/" + pid + "/cmdline"), StandardCharsets.UTF_8);
    return List.of(raw.split("\0"));
  }

  /** A JDK home under /usr/lib/jvm whose release file says JAVA_VERSION 25 or later. */
  private static Optional<Path> newestJdkFrom25() throws IOException {
    Path dir = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (Stream<Path> homes = Files.list(dir)) {
      return homes.filter(h -> Files.isExecutable(h.resolve("bin/java")))
          .filter(h -> feature(h) >= 25)
          .max(java.util.Comparator.comparing(MemberJvmTest::javaVersion));
    }
  }

  private static int feature(Path home) {
    String v = javaVersion(home);
    return v.isEmpty() ? 0 : Runtime.Version.parse(v).feature();
  }

  private static String javaVersion(Path home) {
    try (Stream<String> lines = Files.lines(home.resolve("release"))) {
      return lines.filter(l -> l.startsWith("JAVA_VERSION=")).findFirst()
          .map(l -> l.substring(13).replace("\"", "").trim()).filter(v -> !v.startsWith("1."))
          .orElse("");
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }
}
