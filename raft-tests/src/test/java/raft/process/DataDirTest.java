package raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A data directory belongs to one member of one cluster (issue 12, section 2), on real
 * processes: a second process on a running member's directory exits at once naming the
 * holder, and the cluster keeps every acknowledged write; a member started on another member's
 * or another cluster's directory refuses, saying what does not match; a directory that cannot
 * be written is refused at start. Port offsets 40 (the cluster under test) and 45 (the
 * intruders' own ports and the other cluster).
 */
class DataDirTest {
  private static final int OFFSET = 40;
  private static final int OTHER_OFFSET = 45;
  /** How long a refused start may take: a JVM's start and the checks, on a slow machine. */
  private static final long REFUSAL_SECONDS = 60;

  @Test
  @DisplayName("a second process on a running member's data directory exits at once, naming the "
      + "holder, and the cluster keeps every acknowledged write")
  void secondProcessOnARunningMembersDirectory() throws Exception {
    Preconditions.requireEtcdctl();
    try (LocalCluster cluster = new LocalCluster(3, OFFSET, "datadir-lock").start()) {
      putKeys(cluster, "before-", 50);
      long n1 = Long.parseLong(Files.readString(cluster.data.resolve("n1.pid")).trim());
      // n2's name and membership, on n1's directory, with ports of its own (as if on another
      // host name), so that nothing but the directory stops it.
      List<String> intruder = server("n2", initialCluster(OFFSET, 3), OTHER_OFFSET, 2,
          cluster.data.resolve("n1"));
      Path out = cluster.data.resolve("intruder.out");
      Process p = new ProcessBuilder(intruder).redirectErrorStream(true)
          .redirectOutput(out.toFile()).start();
      try {
        putKeys(cluster, "during-", 50); // acknowledged while the intruder starts
        boolean exited = p.waitFor(REFUSAL_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        String said = Files.readString(out);
        assertTrue(exited, () -> "the second process is still running: " + said);
        assertNotEquals(0, p.exitValue(), said);
        assertTrue(said.contains("data directory " + cluster.data.resolve("n1")
            + " is in use by member n1 (pid " + n1 + ")"), said);
      } finally {
        p.destroyForcibly(); // only if the refusal failed: it has exited otherwise
        p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
      }
      putKeys(cluster, "after-", 50);
      assertEquals(0, cluster.cluster("stop").exit());
      LocalCluster.Result start = cluster.cluster("start", "--nodes", "3");
      assertEquals(0, start.exit(), start::toString);
      assertEquals(150, countKeys(cluster, ""), () -> "after restart: " + cluster.statuses());
      assertEquals(3, cluster.statuses().size(), cluster::toString);
    }
  }

  @Test
  @DisplayName("a member started on another member's or another cluster's data directory "
      + "refuses, saying what does not match, and both directories stay whole")
  void anotherMembersOrClustersDirectory() throws Exception {
    Preconditions.requireEtcdctl();
    Path otherN1;
    try (LocalCluster other = new LocalCluster(1, OTHER_OFFSET, "datadir-other").start()) {
      putKeys(other, "other-", 5);
      otherN1 = other.data.resolve("n1");
    }
    try (LocalCluster cluster = new LocalCluster(3, OFFSET, "datadir-identity").start()) {
      putKeys(cluster, "mine-", 20);
      assertEquals(0, cluster.cluster("stop").exit());
      String members = initialCluster(OFFSET, 3);

      LocalCluster.Result wrongMember = LocalCluster.run(server("n1", members, OFFSET, 1,
          cluster.data.resolve("n2")), null, REFUSAL_SECONDS);
      assertNotEquals(0, wrongMember.exit(), wrongMember::toString);
      assertTrue(wrongMember.out().contains("data directory " + cluster.data.resolve("n2")
          + " belongs to n2 (member 2) of cluster "), wrongMember::toString);
      assertTrue(wrongMember.out().contains(", but this member is n1 (member 1) of cluster "),
          wrongMember::toString);

      LocalCluster.Result wrongCluster = LocalCluster.run(server("n1", members, OFFSET, 1,
          otherN1), null, REFUSAL_SECONDS);
      assertNotEquals(0, wrongCluster.exit(), wrongCluster::toString);
      assertTrue(wrongCluster.out().contains("data directory " + otherN1
          + " belongs to member 1 of cluster "), wrongCluster::toString);
      assertTrue(wrongCluster.out().contains("(another --initial-cluster): start it with the "
          + "right --name/--initial-cluster or --data-dir"), wrongCluster::toString);

      LocalCluster.Result start = cluster.cluster("start", "--nodes", "3");
      assertEquals(0, start.exit(), start::toString);
      assertEquals(20, countKeys(cluster, "mine-"), cluster::toString);
      assertEquals(0, countKeys(cluster, "other-"), cluster::toString);
    }
    try (LocalCluster other = new LocalCluster(1, OTHER_OFFSET, "datadir-other")) {
      LocalCluster.Result start = other.cluster("start", "--nodes", "1");
      assertEquals(0, start.exit(), start::toString);
      assertEquals(5, countKeys(other, "other-"), other::toString);
    }
  }

  @Test
  @DisplayName("a data directory that cannot be written (immutable, as root) is refused at start")
  void readOnlyDirectoryIsRefused() throws Exception {
    Preconditions.requireEtcdctl();
    try (LocalCluster cluster = new LocalCluster(1, OTHER_OFFSET, "datadir-readonly").start()) {
      putKeys(cluster, "key-", 5);
      assertEquals(0, cluster.cluster("stop").exit());
      Path dir = cluster.data.resolve("n1");
      // Root writes through permission bits (tests and CI run as root); an immutable
      // directory and files stop root as a read-only mount would.
      assumeTrue(chattr("+i", dir), "chattr +i is not available here");
      try {
        LocalCluster.Result restart = cluster.cluster("restart", "n1");
        assertNotEquals(0, restart.exit(), restart::toString);
        String log = cluster.log(1);
        assertTrue(log.contains("data directory " + dir + " is not writable: cannot write "),
            log);
        assertTrue(log.contains("Operation not permitted"), log);
      } finally {
        assertTrue(chattr("-i", dir), "chattr -i failed: " + dir + " stays immutable");
      }
      LocalCluster.Result restart = cluster.cluster("restart", "n1");
      assertEquals(0, restart.exit(), restart::toString);
      cluster.awaitLeader(0, 30_000);
      assertEquals(5, countKeys(cluster, "key-"), cluster::toString);
    }
  }

  /** `raftkv server` as member {@code name}, on the ports of node k at {@code portOffset}. */
  private static List<String> server(String name, String members, int portOffset, int k,
      Path dataDir) {
    int client = new int[] {2379, 22379, 32379}[k - 1] + portOffset;
    return List.of("java", "-jar", LocalCluster.JAR.toString(), "server", "--name", name,
        "--initial-cluster", members,
        "--listen-client-urls", "http://127.0.0.1:" + client,
        "--listen-peer-urls", "http://127.0.0.1:" + (k * 10000 + 2380 + portOffset),
        "--data-dir", dataDir.toString());
  }

  /** What scripts/cluster gives its members: n1=http://127.0.0.1:12380+offset, ... */
  private static String initialCluster(int portOffset, int nodes) {
    List<String> members = new ArrayList<>();
    for (int k = 1; k <= nodes; k++) {
      members.add("n" + k + "=http://127.0.0.1:" + (k * 10000 + 2380 + portOffset));
    }
    return String.join(",", members);
  }

  private static boolean chattr(String flag, Path dir) throws Exception {
    try {
      return LocalCluster.run(List.of("chattr", "-R", flag, dir.toString()), null, 30).exit()
          == 0;
    } catch (java.io.IOException notInstalled) {
      return false;
    }
  }

  private static void putKeys(LocalCluster cluster, String prefix, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      LocalCluster.Result r = cluster.etcdctl(null, "put", prefix + i, "value-" + i);
      assertEquals(0, r.exit(), r::toString);
    }
  }

  private static long countKeys(LocalCluster cluster, String prefix) throws Exception {
    LocalCluster.Result get = cluster.etcdctl(null, "get", prefix, "--prefix", "--keys-only");
    assertEquals(0, get.exit(), get::toString);
    return get.out().lines().filter(l -> !l.isBlank()).count();
  }
}
