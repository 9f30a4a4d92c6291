package raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.mvccpb.KeyValue;

/**
 * Issue 12 §3, a member that has stopped must look stopped: after a fatal error its process
 * ends (etcd logs a fatal line and exits) with a non-zero status and a last log line naming the
 * cause, and {@code cluster status} says "stopped: " and the cause. Two real causes:
 *
 * <ul>
 *   <li>A full disk: one member's data dir is a small tmpfs (mounting needs root; the test is
 *       skipped, saying so, where mount is not permitted) and a write load fills it. The others
 *       go on serving and no acknowledged write is lost; once space is freed, the member
 *       restarts from what it had persisted and catches up. The full member is relaunched by
 *       this test with its exact command line (read from /proc), as the test's own child: only
 *       a parent can read a process's exit status.
 *   <li>Direct memory running out under large concurrent requests: Java code throws that
 *       OutOfMemoryError (so -XX:+ExitOnOutOfMemoryError never sees it) and gRPC's Netty
 *       transport catches and logs it; the member must still end.
 * </ul>
 */
class StoppedMemberTest {
  private static final int FULL = 3;
  private static final int VALUE_BYTES = 16 * 1024;
  private static final String TMPFS_BYTES = "16m";

  @Test
  @DisplayName("a member whose disk fills exits non-zero naming the cause; status shows "
      + "'stopped: disk full'; the rest serve on and lose no acknowledged write")
  void aFullDiskEndsTheMemberAndNothingElse() throws Exception {
    Preconditions.requireEtcdctl();
    Path mount = null;
    try (LocalCluster cluster = new LocalCluster(3, 50, "stopped-disk-full").start()) {
      mount = cluster.data.resolve("n" + FULL);
      Process member = moveOntoTmpfs(cluster, mount);
      cluster.awaitLeader(0, 30_000);

      Set<String> acknowledged = ConcurrentHashMap.newKeySet();
      fillUntilExit(cluster, member, acknowledged);
      assertTrue(member.waitFor(60, TimeUnit.SECONDS), "n" + FULL + " still running after its"
          + " disk filled:\n" + tail(cluster.log(FULL), 15));
      String last = lastLine(cluster.log(FULL));
      assertTrue(member.exitValue() != 0, "exit status " + member.exitValue());
      assertTrue(last.contains("disk full: no space left on device for " + mount), last);
      assertTrue(last.contains("exiting with status " + member.exitValue()), last);

      assertStopped(cluster, FULL, "disk full");

      // The two others still make a majority: writes go on, and every acknowledged one is there.
      writeSome(cluster.channel(1), "after-", 20, acknowledged);
      assertTrue(acknowledged.stream().filter(k -> k.startsWith("after-")).count() == 20);
      assertNothingLost(cluster.channel(1), acknowledged);

      // Free space and restart: it recovers what it had persisted and catches up.
      assertEquals(0, sh("mount", "-o", "remount,size=256m", mount.toString()).exit());
      assertEquals(0, cluster.cluster("restart", "n" + FULL).exit());
      assertNothingLost(cluster.channel(FULL), acknowledged);
    } finally {
      if (mount != null) {
        sh("umount", "-l", mount.toString());
      }
    }
  }

  @Test
  @DisplayName("direct memory exhausted by large concurrent puts: the member exits saying "
      + "'out of memory', though gRPC caught the error and the JVM flag did not see it")
  void directMemoryExhaustedEndsTheMember() throws Exception {
    Preconditions.requireEtcdctl();
    // 4 MiB of direct memory: a dozen 1 MB requests in flight at once cannot all be buffered.
    try (LocalCluster cluster = new LocalCluster(1, 50, "stopped-direct-oom")
        .withJvmOpts("-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
            + " -XX:+ExitOnOutOfMemoryError -XX:MaxDirectMemorySize=4m").start()) {
      long pid = Long.parseLong(Files.readString(cluster.data.resolve("n1.pid")).trim());
      ProcessHandle member = ProcessHandle.of(pid).orElseThrow();
      byte[] value = new byte[1_000_000];
      for (int round = 0; round < 10 && member.isAlive(); round++) {
        List<Thread> puts = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
          String key = "big-" + round + "-" + i;
          ManagedChannel channel = cluster.channel(1);
          Thread t = new Thread(() -> {
            try {
              KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).put(
                  PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
                      .setValue(ByteString.copyFrom(value)).build());
            } catch (RuntimeException refusedOrGone) {
              // expected once the member runs out of direct memory
            }
          });
          t.start();
          puts.add(t);
        }
        for (Thread t : puts) {
          t.join(30_000);
        }
      }
      try {
        member.onExit().get(60, TimeUnit.SECONDS);
      } catch (TimeoutException stillRunning) {
        throw new AssertionError("n1 still running:\n" + tail(cluster.log(1), 15));
      }
      String last = lastLine(cluster.log(1));
      assertTrue(last.contains("fatal, exiting with status ") && last.contains("out of memory: "),
          tail(cluster.log(1), 15));
      assertStopped(cluster, 1, "out of memory");
    }
  }

  /**
   * Kills member FULL, puts its data dir on a small tmpfs (its data copied over), and starts it
   * again with its own command line, as our child.
   */
  private static Process moveOntoTmpfs(LocalCluster cluster, Path dir) throws Exception {
    long pid = Long.parseLong(Files.readString(cluster.data.resolve("n" + FULL + ".pid"))
        .trim());
    List<String> argv = Arrays.asList(Files.readString(Path.of("/proc/" + pid + "/cmdline"),
        StandardCharsets.UTF_8).split("\0"));
    // kill -9 loses nothing (the WAL is fsynced) and nobody writes the dir while it moves.
    assertEquals(0, cluster.cluster("kill", "n" + FULL).exit());
    ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
    Path saved = cluster.data.resolve("n" + FULL + ".saved");
    Files.move(dir, saved);
    Files.createDirectories(dir);
    LocalCluster.Result m = sh("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_BYTES, "tmpfs",
        dir.toString());
    if (m.exit() != 0) {
      Files.delete(dir);
      Files.move(saved, dir);
      Assumptions.abort("mounting a tmpfs is not permitted here (needs root): " + m.out());
    }
    assertEquals(0, sh("cp", "-a", saved + "/.", dir + "/").exit());
    Process p = new ProcessBuilder(argv).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(
            cluster.data.resolve("n" + FULL + ".log").toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    Files.writeString(cluster.data.resolve("n" + FULL + ".pid"), p.pid() + "\n");
    return p;
  }

  /** Writers on the other two members until the full one exits; bounded in count and time. */
  private static void fillUntilExit(LocalCluster cluster, Process member,
      Set<String> acknowledged) throws InterruptedException {
    List<Thread> writers = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    for (int w = 0; w < 4; w++) {
      ManagedChannel channel = cluster.channel(w % 2 + 1);
      String prefix = "fill-" + w + "-";
      Thread t = new Thread(() -> {
        for (int i = 0; i < 20_000 && member.isAlive() && System.nanoTime() < deadline; i++) {
          put(channel, prefix + i, VALUE_BYTES, acknowledged);
        }
      });
      t.start();
      writers.add(t);
    }
    for (Thread t : writers) {
      t.join(180_000);
    }
  }

  private static void writeSome(ManagedChannel channel, String prefix, int n,
      Set<String> acknowledged) throws InterruptedException {
    for (int i = 0; i < n; i++) {
      for (int attempt = 0; attempt < 40 && !acknowledged.contains(prefix + i); attempt++) {
        put(channel, prefix + i, 100, acknowledged);
        if (!acknowledged.contains(prefix + i)) {
          Thread.sleep(250); // an election may be under way (if the full member was leader)
        }
      }
    }
  }

  private static void put(ManagedChannel channel, String key, int valueBytes,
      Set<String> acknowledged) {
    try {
      KVGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS).put(
          PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
              .setValue(ByteString.copyFrom(new byte[valueBytes])).build());
      acknowledged.add(key);
    } catch (RuntimeException failedOrUnknown) {
      // not acknowledged: it may or may not have happened, and the check does not count it
    }
  }

  /** Every acknowledged key is readable (linearizably) through {@code channel}. */
  private static void assertNothingLost(ManagedChannel channel, Set<String> acknowledged)
      throws InterruptedException {
    RangeRequest all = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("\0"))
        .setRangeEnd(ByteString.copyFromUtf8("\0")).setKeysOnly(true).build();
    RuntimeException last = null;
    for (int attempt = 0; attempt < 120; attempt++) {
      try {
        Set<String> present = new HashSet<>();
        for (KeyValue kv : KVGrpc.newBlockingStub(channel)
            .withDeadlineAfter(5, TimeUnit.SECONDS).range(all).getKvsList()) {
          present.add(kv.getKey().toStringUtf8());
        }
        Set<String> lost = new HashSet<>(acknowledged);
        lost.removeAll(present);
        if (lost.isEmpty()) {
          return;
        }
        last = new IllegalStateException(lost.size() + " of " + acknowledged.size()
            + " acknowledged writes missing, e.g. " + lost.stream().limit(5).toList());
      } catch (RuntimeException notYet) {
        last = notYet;
      }
      Thread.sleep(500); // a restarted member may still be catching up
    }
    throw new AssertionError("acknowledged writes are missing", last);
  }

  /** `cluster status` shows node k "stopped: cause" in its row, and the whole line below. */
  private static void assertStopped(LocalCluster cluster, int k, String cause) throws Exception {
    String status = cluster.cluster("status").out();
    assertTrue(status.lines().anyMatch(l -> l.startsWith("| n" + k + " ")
        && l.contains("| stopped: " + cause + " |")), status);
    assertTrue(status.lines().anyMatch(l -> l.startsWith("n" + k + " stopped: " + cause + ": ")),
        status);
  }

  private static LocalCluster.Result sh(String... cmd) throws Exception {
    return LocalCluster.run(List.of(cmd), null, 30);
  }

  /** The member's own last line (a library may print a stack trace after it). */
  private static String lastLine(String log) {
    return raft.kv.server.FatalExit.lastOwnLine(log).orElse("");
  }

  private static String tail(String log, int n) {
    List<String> lines = log.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
  }
}
