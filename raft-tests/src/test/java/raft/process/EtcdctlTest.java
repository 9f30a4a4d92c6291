package raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Real etcdctl 3.4 (Debian's etcd-client) against a real 3-node cluster of separate processes:
 * the commands of the "done when", then a leader kill after which writes continue.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EtcdctlTest {
  private static LocalCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    Preconditions.requireEtcdctl();
    cluster = new LocalCluster(3, 100, "etcdctl").start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static String ok(String stdin, String... args) throws Exception {
    LocalCluster.Result r = cluster.etcdctl(stdin, args);
    assertEquals(0, r.exit(), () -> "etcdctl " + Arrays.toString(args) + " -> " + r);
    return r.out();
  }

  @Test
  @Order(0)
  @DisplayName("right after start, member list shows every member started, with its client URL"
      + " (start waits for each member's publish, as etcd serves clients only after it)")
  void everyMemberPublishedWhenStartReturns() throws Exception {
    String members = ok(null, "member", "list");
    for (int k = 1; k <= 3; k++) {
      String name = ", started, n" + k + ", ";
      String client = "http://" + cluster.endpoint(k);
      assertTrue(members.lines().anyMatch(l -> l.contains(name) && l.contains(client)),
          members);
    }
  }

  @Test
  @Order(1)
  @DisplayName("put, get, get --prefix and del print what etcd prints")
  void putGetDel() throws Exception {
    assertEquals("OK\n", ok(null, "put", "greeting", "hello"));
    assertEquals("greeting\nhello\n", ok(null, "get", "greeting"));
    ok(null, "put", "greetings/fr", "bonjour");
    assertEquals("greeting\nhello\ngreetings/fr\nbonjour\n", ok(null, "get", "greet", "--prefix"));
    assertEquals("1\n", ok(null, "del", "greetings/fr"));
    assertEquals("", ok(null, "get", "greetings/fr"));
  }

  @Test
  @Order(2)
  @DisplayName("txn with compares takes the success or the failure branch")
  void txn() throws Exception {
    ok(null, "put", "tx", "1");
    String script = "value(\"tx\") = \"1\"\n\nput tx 2\n\nput tx failed\n\n";
    assertEquals("SUCCESS\n\nOK\n", ok(script, "txn"));
    assertEquals("FAILURE\n\nOK\n", ok(script, "txn"));
    assertEquals("tx\nfailed\n", ok(null, "get", "tx"));
  }

  @Test
  @Order(3)
  @DisplayName("watch from a past revision replays the history in order")
  void watchFromPastRevision() throws Exception {
    ok(null, "put", "w", "a");
    String rev = revisionOf("w");
    ok(null, "put", "w", "b");
    ok(null, "del", "w");
    LocalCluster.Result r = LocalCluster.run(List.of("timeout", "5", "etcdctl",
        "--endpoints=" + cluster.endpoints(), "watch", "w", "--rev", rev), null, 30);
    assertEquals("PUT\nw\na\nPUT\nw\nb\nDELETE\nw\n\n", r.out(), r::toString);
  }

  @Test
  @Order(4)
  @DisplayName("lease grant, keys attached to it, timetolive, and expiry deletes the keys")
  void leases() throws Exception {
    String granted = ok(null, "lease", "grant", "10");
    Matcher m = Pattern.compile("lease ([0-9a-f]+) granted with TTL\\(10s\\)").matcher(granted);
    assertTrue(m.find(), granted);
    String id = m.group(1);
    ok(null, "put", "leased", "v", "--lease=" + id);
    String ttl = ok(null, "lease", "timetolive", id, "--keys");
    assertTrue(ttl.contains("granted with TTL(10s)") && ttl.contains("attached keys([leased])"),
        ttl);
    Matcher shortLease = Pattern.compile("lease ([0-9a-f]+) granted")
        .matcher(ok(null, "lease", "grant", "2"));
    assertTrue(shortLease.find());
    ok(null, "put", "short", "v", "--lease=" + shortLease.group(1));
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (!ok(null, "get", "short").isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(250);
    }
    assertEquals("", ok(null, "get", "short"), "the leader revokes an expired lease");
    assertEquals("leased\nv\n", ok(null, "get", "leased"));
  }

  @Test
  @Order(4)
  @DisplayName("etcdctl's lock recipe (a lease, a key per waiter, a watch on the one before)")
  void lock() throws Exception {
    assertEquals("locked\n", ok(null, "lock", "demo-lock", "echo", "locked"));
    assertEquals("", ok(null, "get", "demo-lock", "--prefix"), "released: its key is gone");
  }

  @Test
  @Order(5)
  @DisplayName("endpoint status shows exactly one leader; member list shows three members;"
      + " endpoint hashkv shows three identical replicas")
  void statusAndMembers() throws Exception {
    String table = ok(null, "endpoint", "status", "-w", "table");
    long leaders = table.lines().filter(l -> l.matches(".*\\|\\s+true\\s+\\|\\s+false\\s+\\|.*"))
        .count();
    assertEquals(1, leaders, table);
    String members = ok(null, "member", "list");
    assertEquals(3, members.lines().filter(l -> l.contains(", started, n")).count(), members);
    // Identical replicas: every member hashes its history at one revision to the same value.
    String rev = revisionOf("greeting");
    for (int i = 1; i <= 3; i++) { // a linearizable read on each: it has applied that far
      LocalCluster.run(List.of("etcdctl", "--endpoints=" + cluster.endpoint(i), "get", "x"),
          null, 30);
    }
    String hashes = ok(null, "endpoint", "hashkv", "--rev=" + rev);
    assertEquals(1, hashes.lines().map(l -> l.split(", ")[1]).distinct().count(), hashes);
    assertEquals(3, hashes.lines().count(), hashes);
  }

  @Test
  @Order(6)
  @DisplayName("move-leader hands leadership to another member (thesis §3.10)")
  void moveLeader() throws Exception {
    int leader = cluster.awaitLeader(0, 10_000);
    int target = leader % 3 + 1;
    String out = ok(null, "move-leader", Long.toHexString(target));
    assertTrue(out.contains("Leadership transferred"), out);
    assertEquals(target, cluster.awaitLeader(leader, 10_000));
  }

  @Test
  @Order(7)
  @DisplayName("after kill -9 of the leader a new one is elected and writes continue")
  void leaderKill() throws Exception {
    int leader = cluster.awaitLeader(0, 10_000);
    assertEquals(0, cluster.cluster("kill", "n" + leader).exit());
    int next = cluster.awaitLeader(leader, 15_000);
    assertTrue(next != leader);
    assertEquals("OK\n", ok(null, "put", "after-kill", "still-writing"));
    assertEquals("after-kill\nstill-writing\n", ok(null, "get", "after-kill"));
    assertEquals(0, cluster.cluster("restart", "n" + leader).exit());
    // The next test writes through any member: the restarted one must know the leader first.
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (cluster.statuses().stream().filter(s -> s.getLeader() != 0).count() < 3) {
      assertTrue(System.nanoTime() < deadline, "a member knows no leader: " + cluster.statuses());
      Thread.sleep(100);
    }
  }

  @Test
  @Order(8)
  @DisplayName("etcdctl snapshot save makes a backup etcdctl reads, that starts a new cluster with every key")
  void snapshotSaveAndRestore() throws Exception {
    Path backup = LocalCluster.REPO.resolve("raft-tests/target/etcdctl-backup.db");
    Files.deleteIfExists(backup);
    ok(null, "put", "backup/a", "1");
    ok(null, "put", "backup/b", "2");
    LocalCluster.Result saved = LocalCluster.run(List.of("etcdctl",
        "--endpoints=" + cluster.endpoint(1), "snapshot", "save", backup.toString()), null, 30);
    assertTrue(saved.out().contains("Snapshot saved at " + backup), saved::toString);
    // etcd's own reader takes it: it is etcd's database (issue 16).
    LocalCluster.Result status = LocalCluster.run(List.of("etcdctl", "snapshot", "status",
        backup.toString()), null, 30);
    assertTrue(status.out().matches("[0-9a-f]+, " + revisionOf("backup/b") + ", \\d+, .*\n"),
        status::toString);
    try (LocalCluster restored = new LocalCluster(1, 370, "restored").startFrom(backup)) {
      LocalCluster.Result keys = restored.etcdctl(null, "get", "backup/", "--prefix");
      assertEquals("backup/a\n1\nbackup/b\n2\n", keys.out(), keys::toString);
      assertEquals("OK\n", restored.etcdctl(null, "put", "restored", "yes").out());
    }
  }

  private static String revisionOf(String key) throws Exception {
    String json = ok(null, "get", key, "-w", "json");
    Matcher m = Pattern.compile("\"mod_revision\":(\\d+)").matcher(json);
    assertTrue(m.find(), json);
    return m.group(1);
  }
}
