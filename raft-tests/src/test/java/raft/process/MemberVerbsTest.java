package raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.process.ClusterMembershipTest.ok;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * scripts/cluster's membership verbs on real processes, checked through status and real
 * etcdctl 3.4's member list: add --learner, promote, remove (data kept aside, and restart and
 * heal leave it down), replace (a new id, the data back from the others), and start/stop/
 * restart of a cluster whose membership changed.
 */
class MemberVerbsTest {
  private static final int OFFSET = 170;

  @Test
  @DisplayName("§4.2.1: add --learner, promote, remove, replace, and the other verbs after them")
  void learnerPromoteRemoveReplace() throws Exception {
    Preconditions.requireEtcdctl();
    try (LocalCluster cluster = new LocalCluster(3, OFFSET, "member-verbs").start()) {
      assertEquals(0, cluster.etcdctl(null, "put", "before", "1").exit());

      String added = ok(cluster, "add", "n4", "--learner");
      assertTrue(added.contains("n4 added as a learner"), added);
      assertFalse(added.contains("promoted"), "--learner leaves it a learner: " + added);
      String status = ok(cluster, "status");
      assertTrue(status.contains("voters: n1,n2,n3  learners: n4"), status);
      assertTrue(row(status, "n4").contains("| learner "), status);
      assertTrue(memberList(cluster, 4).contains("true"), "etcdctl sees a learner");

      assertTrue(ok(cluster, "promote", "n4").contains("n4 promoted to voter"));
      assertTrue(ok(cluster, "status").contains("voters: n1,n2,n3,n4  learners: -"));
      LocalCluster.Result again = cluster.cluster("promote", "n4");
      assertEquals(1, again.exit(), again.out());
      assertTrue(again.out().contains("etcdserver: can only promote a learner member"),
          again.out());

      String removed = ok(cluster, "remove", "n4");
      assertTrue(removed.contains("n4 removed from the cluster"), removed);
      assertEquals(1, aside(cluster, "n4.removed-"), "its data is kept aside");
      assertFalse(Files.exists(cluster.data.resolve("n4")));
      LocalCluster.Result restart = cluster.cluster("restart", "n4");
      assertEquals(1, restart.exit(), restart.out());
      assertTrue(restart.out().contains("n4 is not a member of this cluster"), restart.out());
      ok(cluster, "heal");
      assertFalse(Files.exists(cluster.data.resolve("n4.pid")), "heal leaves a removed node");
      status = ok(cluster, "status");
      assertFalse(status.contains("| n4 "), status);
      assertTrue(status.contains("voters: n1,n2,n3  learners: -"), status);

      String oldId = memberId(cluster, 2);
      String replaced = ok(cluster, "replace", "n2");
      assertTrue(replaced.contains("n2 replaced"), replaced);
      assertNotEquals(oldId, memberId(cluster, 2), "a new member has a new id");
      assertEquals(1, aside(cluster, "n2.removed-"));
      LocalCluster.Result get = LocalCluster.run(List.of("etcdctl", "--endpoints="
          + cluster.endpoint(2), "get", "before", "--consistency=s", "--print-value-only"),
          null, 30);
      assertEquals("1", get.out().trim(), "the new n2 got the data from the others: " + get);

      ok(cluster, "stop");
      String started = ok(cluster, "start");
      assertTrue(started.contains("started n1 (pid"), started);
      assertFalse(started.contains("n4"), "start brings back the members, not n4: " + started);
      ok(cluster, "restart", "n2"); // the replaced member restarts from its own data
      status = ok(cluster, "status");
      assertTrue(status.contains("voters: n1,n2,n3  learners: -  in the configuration but not"
          + " up: -"), status);
    }
  }

  @Test
  @DisplayName("add refuses a node that is already a member; remove refuses one that is not")
  void refusals() throws Exception {
    Preconditions.requireEtcdctl();
    try (LocalCluster cluster = new LocalCluster(3, OFFSET, "member-verbs-refusals").start()) {
      LocalCluster.Result twice = cluster.cluster("add", "n2");
      assertEquals(1, twice.exit(), twice.out());
      assertTrue(twice.out().contains("n2 is already a member"), twice.out());
      LocalCluster.Result none = cluster.cluster("remove", "n5");
      assertEquals(1, none.exit(), none.out());
      assertTrue(none.out().contains("n5 is not a member"), none.out());
      LocalCluster.Result bad = cluster.cluster("add", "n7");
      assertEquals(1, bad.exit(), bad.out());
      assertTrue(bad.out().contains("unknown node n7 (nodes are n1..n5)"), bad.out());
    }
  }

  private static String row(String status, String node) {
    return status.lines().filter(l -> l.startsWith("| " + node + " ")).findFirst().orElse("");
  }

  /** etcdctl member list's row for node k (by its peer port), as etcdctl prints it. */
  private static String memberList(LocalCluster cluster, int k) throws Exception {
    LocalCluster.Result r = cluster.etcdctl(null, "member", "list");
    assertEquals(0, r.exit(), r.out());
    int peer = new int[] {12380, 22380, 32380, 42380, 52380}[k - 1] + OFFSET;
    return r.out().lines().filter(l -> l.contains(":" + peer)).findFirst()
        .orElseThrow(() -> new AssertionError("no member with peer port " + peer + ":\n" + r));
  }

  private static String memberId(LocalCluster cluster, int k) throws Exception {
    Matcher m = Pattern.compile("^([0-9a-f]+),").matcher(memberList(cluster, k));
    assertTrue(m.find());
    return m.group(1);
  }

  private static long aside(LocalCluster cluster, String prefix) throws Exception {
    try (Stream<Path> s = Files.list(cluster.data)) {
      return s.filter(p -> p.getFileName().toString().startsWith(prefix)).count();
    }
  }
}
