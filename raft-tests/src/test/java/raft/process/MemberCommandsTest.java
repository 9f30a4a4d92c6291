package raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.PutRequest;

/**
 * Real etcdctl 3.4's member commands against real processes: a learner added, started with
 * --initial-cluster-state existing (caught up by snapshot: members snapshot every 20 entries),
 * promoted, updated, removed (its process stops, and stops again if restarted); every bad
 * request answered with etcd's exact text, compared with what a real etcd 3.4 answers to the
 * same requests.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MemberCommandsTest {
  private static final int OFFSET = 120;
  private static final int ETCD_OFFSET = 130;
  private static final String N4_PEER = "http://127.0.0.1:" + (42380 + OFFSET);
  private static final String N4_CLIENT = "127.0.0.1:" + (42379 + OFFSET);
  private static final Pattern ADDED = Pattern.compile("Member +([0-9a-f]+) added to cluster");

  private static LocalCluster cluster;
  private static MemberProcess n4;
  private static String n4Id;
  private static String addOutput;

  @BeforeAll
  static void start() throws Exception {
    Preconditions.requireEtcdctl();
    cluster = new LocalCluster(3, OFFSET, "members").withServerFlags("--snapshot-count 20")
        .start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (n4 != null) {
      n4.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static LocalCluster.Result etcdctl(String endpoints, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("etcdctl", "--endpoints=" + endpoints,
        "--command-timeout=15s"));
    cmd.addAll(List.of(args));
    return LocalCluster.run(cmd, null, 30);
  }

  private static String ok(String endpoints, String... args) throws Exception {
    LocalCluster.Result r = etcdctl(endpoints, args);
    assertEquals(0, r.exit(), () -> "etcdctl " + List.of(args) + " -> " + r);
    return r.out();
  }

  private static String okEventually(String endpoints, String... args) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    LocalCluster.Result r;
    do {
      r = etcdctl(endpoints, args);
    } while (r.exit() != 0 && System.nanoTime() < deadline);
    assertEquals(0, r.exit(), r::toString);
    return r.out();
  }

  /** The error line etcdctl prints (its last line), for a request that must fail. */
  private static String error(String endpoints, String... args) throws Exception {
    LocalCluster.Result r = etcdctl(endpoints, args);
    assertNotEquals(0, r.exit(), () -> "etcdctl " + List.of(args) + " should fail: " + r);
    List<String> lines = r.out().lines().toList();
    return lines.get(lines.size() - 1);
  }

  /**
   * `member add` needs this member connected to every voter for 5 s (etcd's strict check):
   * right after a start it answers "unhealthy cluster", as etcd does; retried, bounded.
   */
  private static String addWhenHealthy(String endpoints, String... args) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    LocalCluster.Result r;
    do {
      r = etcdctl(endpoints, args);
      if (r.exit() == 0 || !r.out().contains("unhealthy cluster")) {
        break;
      }
      Thread.sleep(500);
    } while (System.nanoTime() < deadline);
    assertEquals(0, r.exit(), r::toString);
    return r.out();
  }

  /** etcdctl prints ids with %16x: padded with spaces when shorter. */
  private static boolean said(String out, String id, String what) {
    return Pattern.compile("Member +" + id + " " + what).matcher(out).find();
  }

  private static String idOf(String addOutput) {
    Matcher m = ADDED.matcher(addOutput);
    assertTrue(m.find(), addOutput);
    return m.group(1);
  }

  @Test
  @Order(1)
  @DisplayName("member add --learner: an unstarted learner with a fresh random id, and the flags"
      + " to start it")
  void addLearner() throws Exception {
    var kv = KVGrpc.newBlockingStub(cluster.channel(1));
    for (int i = 0; i < 100; i++) { // enough entries that n4 will be sent a snapshot
      kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("k" + i))
          .setValue(ByteString.copyFromUtf8("v" + i)).build());
    }
    addOutput = addWhenHealthy(cluster.endpoints(), "member", "add", "n4", "--learner",
        "--peer-urls=" + N4_PEER);
    n4Id = idOf(addOutput);
    assertTrue(n4Id.length() > 8, "a random 64-bit id, not a position: " + n4Id);
    assertTrue(addOutput.contains("ETCD_INITIAL_CLUSTER_STATE=\"existing\""), addOutput);
    String row = "(?s).*\\|\\s+" + n4Id + " \\|\\s+unstarted \\|\\s+\\|\\s+" + N4_PEER
        + " \\|\\s+\\|\\s+true \\|.*";
    awaitOutput(cluster.endpoints(), table -> table.matches(row), "n4 as an unstarted learner",
        "member", "list", "-w", "table");
  }

  /** The bad requests of the issue, with the ids and URLs of the cluster they go to. */
  private static Map<String, String> badRequests(String eps, String voter, String learner,
      String voterPeer, String freePeer) throws Exception {
    Map<String, String> answers = new LinkedHashMap<>();
    answers.put("second learner", error(eps, "member", "add", "x", "--learner",
        "--peer-urls=" + freePeer));
    answers.put("peer URL in use", error(eps, "member", "add", "x", "--peer-urls=" + voterPeer));
    answers.put("update to a URL in use", error(eps, "member", "update", learner,
        "--peer-urls=" + voterPeer));
    answers.put("malformed URL", error(eps, "member", "add", "x", "--peer-urls=http://127.0.0.1"));
    answers.put("promote a voter", error(eps, "member", "promote", voter));
    answers.put("promote a learner behind", error(eps, "member", "promote", learner));
    answers.put("remove unknown", error(eps, "member", "remove", "99"));
    answers.put("update unknown", error(eps, "member", "update", "99",
        "--peer-urls=" + freePeer));
    answers.put("promote unknown", error(eps, "member", "promote", "99"));
    ok(eps, "member", "remove", learner);
    answers.put("remove removed", error(eps, "member", "remove", learner));
    return answers;
  }

  @Test
  @Order(2)
  @DisplayName("each bad request gets etcd 3.4's exact answer (compared with a real etcd)")
  void badRequestsAsEtcd() throws Exception {
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("second learner", "Error: etcdserver: too many learner members in cluster");
    expected.put("peer URL in use", "Error: etcdserver: Peer URLs already exists");
    expected.put("update to a URL in use", "Error: etcdserver: Peer URLs already exists");
    expected.put("malformed URL",
        "Error: URL address does not have the form \"host:port\": http://127.0.0.1");
    expected.put("promote a voter", "Error: etcdserver: can only promote a learner member");
    expected.put("promote a learner behind", "Error: etcdserver: can only promote a learner"
        + " member which is in sync with leader");
    for (String k : List.of("remove unknown", "update unknown", "promote unknown",
        "remove removed")) {
      expected.put(k, "Error: etcdserver: member not found");
    }
    ok(cluster.endpoints(), "member", "remove", n4Id); // n4 is re-added fresh below
    // Another never started learner on our cluster, removed at the end of the requests.
    String extra = idOf(addWhenHealthy(cluster.endpoints(), "member", "add", "n5", "--learner",
        "--peer-urls=http://127.0.0.1:" + (52380 + OFFSET)));
    Map<String, String> ours = badRequests(cluster.endpoints(), "1", extra,
        "http://127.0.0.1:" + (22380 + OFFSET), "http://127.0.0.1:" + (62380 + OFFSET));
    assertEquals(expected, ours);
    assertEquals(expected, etcdAnswers());
  }

  // The same requests against a real one-member etcd 3.4, with a never started learner.
  private static Map<String, String> etcdAnswers() throws Exception {
    Path dir = cluster.data.resolve("real-etcd");
    LocalCluster.run(List.of("rm", "-rf", dir.toString()), null, 10);
    int client = 2379 + ETCD_OFFSET;
    int peer = 12380 + ETCD_OFFSET;
    String eps = "127.0.0.1:" + client;
    try (MemberProcess etcd = MemberProcess.etcd(dir, client, peer)) {
      String self = waitForEtcdId(eps, etcd);
      String learner = idOf(ok(eps, "member", "add", "n4", "--learner",
          "--peer-urls=http://127.0.0.1:" + (42380 + ETCD_OFFSET)));
      // etcd draws a member's id from its URLs and the second: a duplicate URL within the same
      // second is "member ID already exist" there, "Peer URLs already exists" after.
      Thread.sleep(1100);
      return badRequests(eps, self, learner, "http://127.0.0.1:" + peer,
          "http://127.0.0.1:" + (52380 + ETCD_OFFSET));
    }
  }

  private static String waitForEtcdId(String eps, MemberProcess etcd) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      LocalCluster.Result r = etcdctl(eps, "member", "list");
      if (r.exit() == 0 && r.out().contains(", started, e1")) {
        return r.out().substring(0, r.out().indexOf(','));
      }
      Thread.sleep(200);
    }
    throw new AssertionError("real etcd did not start:\n" + etcd.logText());
  }

  @Test
  @Order(3)
  @DisplayName("the learner starts with --initial-cluster-state existing, catches up, serves"
      + " serializable reads and status, refuses writes and linearizable reads")
  void learnerJoins() throws Exception {
    addOutput = addWhenHealthy(cluster.endpoints(), "member", "add", "n4", "--learner",
        "--peer-urls=" + N4_PEER);
    n4Id = idOf(addOutput);
    Matcher ic = Pattern.compile("ETCD_INITIAL_CLUSTER=\"([^\"]+)\"").matcher(addOutput);
    assertTrue(ic.find(), addOutput);
    Path dir = cluster.data.resolve("n4");
    LocalCluster.run(List.of("rm", "-rf", dir.toString()), null, 10);
    n4 = MemberProcess.raftkv(cluster.data.resolve("n4.log"), List.of("--name", "n4",
        "--initial-cluster", ic.group(1), "--initial-cluster-state", "existing",
        "--listen-client-urls", N4_CLIENT, "--data-dir", dir.toString()));
    awaitInList(n4Id + ", started, n4, " + N4_PEER + ", http://" + N4_CLIENT + ", true");
    awaitOutput(N4_CLIENT, "v99", "get", "k99", "--consistency=s");
    assertEquals("Error: etcdserver: rpc not supported for learner",
        error(N4_CLIENT, "put", "a", "b"));
    assertEquals("Error: etcdserver: rpc not supported for learner",
        error(N4_CLIENT, "get", "k1"));
    String status = ok(N4_CLIENT, "endpoint", "status", "-w", "table");
    assertTrue(status.matches("(?s).*\\|\\s+false \\|\\s+true \\|.*"), status);
  }

  @Test
  @Order(4)
  @DisplayName("member promote (through any member) makes the caught-up learner a voter; every"
      + " log narrates the configuration")
  void promote() throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    LocalCluster.Result r;
    do { // until the learner's log is within 90% of the leader's
      r = etcdctl(cluster.endpoints(), "member", "promote", n4Id);
      if (r.exit() == 0) {
        break;
      }
      Thread.sleep(500);
    } while (System.nanoTime() < deadline);
    assertEquals(0, r.exit(), r::toString);
    assertTrue(said(r.out(), n4Id, "promoted"), r.out());
    awaitInList(n4Id + ", started, n4, " + N4_PEER + ", http://" + N4_CLIENT + ", false");
    assertEquals("OK\n", ok(N4_CLIENT, "put", "from-n4", "yes"));
    for (int node = 1; node <= 3; node++) {
      assertTrue(cluster.log(node).contains("configuration is now voters {n1,n2,n3,n4},"
          + " learners {}, at index"), cluster.log(node));
    }
    assertTrue(n4.logText().contains("configuration is now voters {n1,n2,n3,n4}, learners {},"
        + " at index"), n4.logText());
  }

  @Test
  @Order(5)
  @DisplayName("a restarted member comes back with the membership (snapshot and log replay)")
  void restartKeepsTheMembership() throws Exception {
    String said = "configuration is now voters {n1,n2,n3,n4}, learners {}, at index";
    long before = cluster.log(2).split(java.util.regex.Pattern.quote(said), -1).length;
    assertEquals(0, cluster.cluster("restart", "n2").exit(), cluster.log(2));
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (cluster.log(2).split(java.util.regex.Pattern.quote(said), -1).length <= before
        && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertTrue(cluster.log(2).split(java.util.regex.Pattern.quote(said), -1).length > before,
        "n2 did not narrate the membership after its restart:\n" + cluster.log(2));
    awaitOutput(cluster.endpoint(2), n4Id + ", started, n4", "member", "list");
    // If n2 led, the others elect a new leader first; member list is answered without one,
    // a write is not (etcd answers "no leader" meanwhile). The cluster writes again, bounded.
    assertEquals("OK\n", okEventually(cluster.endpoints(), "put", "after-restart", "yes"));
  }

  @Test
  @Order(6)
  @DisplayName("member update changes the peer URLs member list shows")
  void update() throws Exception {
    String both = N4_PEER + ",http://localhost:" + (42380 + OFFSET);
    assertTrue(said(ok(cluster.endpoints(), "member", "update", n4Id, "--peer-urls=" + both),
        n4Id, "updated"));
    awaitOutput(cluster.endpoints(), N4_PEER + ",http://localhost:" + (42380 + OFFSET),
        "member", "list", "-w", "table");
  }

  @Test
  @Order(7)
  @DisplayName("member remove: the member stops for good, and stops again if restarted")
  void remove() throws Exception {
    assertTrue(said(ok(cluster.endpoints(), "member", "remove", n4Id), n4Id, "removed"));
    int status = n4.awaitExit(30);
    assertTrue(status > 0, "n4 should have exited with a non-zero status, not " + status
        + ":\n" + n4.logText());
    assertTrue(n4.logText().contains("the member has been permanently removed from the cluster"),
        n4.logText());
    awaitOutput(cluster.endpoints(), table -> table.lines().count() == 3 + 4, // 3 rows, 4 rules
        "3 members", "member", "list", "-w", "table");
    // If n4 led, writes forwarded to it as it stopped are lost (timed out): retried, as a
    // client would, until the others have elected a leader.
    assertEquals("OK\n", okEventually(cluster.endpoints(), "put", "after-remove", "yes"));
    Matcher ic = Pattern.compile("ETCD_INITIAL_CLUSTER=\"([^\"]+)\"").matcher(addOutput);
    assertTrue(ic.find());
    try (MemberProcess again = MemberProcess.raftkv(cluster.data.resolve("n4-again.log"),
        List.of("--name", "n4", "--initial-cluster", ic.group(1), "--initial-cluster-state",
            "existing", "--listen-client-urls", N4_CLIENT, "--data-dir",
            cluster.data.resolve("n4").toString()))) {
      int again2 = again.awaitExit(60);
      assertTrue(again2 > 0, "a removed member must not rejoin: " + again2 + "\n"
          + again.logText());
      assertTrue(again.logText().contains("permanently removed"), again.logText());
    }
  }

  @Test
  @Order(8)
  @DisplayName("strict reconfiguration: with a voter that never started, another add is"
      + " 'unhealthy cluster'; removing the dead voter is allowed")
  void strictReconfiguration() throws Exception {
    String dead = idOf(addWhenHealthy(cluster.endpoints(), "member", "add", "n5",
        "--peer-urls=http://127.0.0.1:" + (52380 + OFFSET)));
    assertEquals("Error: etcdserver: unhealthy cluster", error(cluster.endpoints(), "member",
        "add", "n6", "--learner", "--peer-urls=http://127.0.0.1:" + (62380 + OFFSET)));
    ok(cluster.endpoints(), "member", "remove", dead);
    assertEquals("OK\n", okEventually(cluster.endpoints(), "put", "after-strict", "yes"));
  }

  private static void awaitInList(String row) throws Exception {
    awaitOutput(cluster.endpoints(), row, "member", "list");
  }

  private static void awaitOutput(String eps, String wanted, String... args) throws Exception {
    awaitOutput(eps, out -> out.contains(wanted), "'" + wanted + "'", args);
  }

  /**
   * etcdctl's output once it satisfies {@code wanted}, asked every 500 ms for at most 60 s:
   * etcdctl may ask a member that has not applied an acknowledged change yet (member list is
   * answered from the member's own state, as etcd's is).
   */
  private static String awaitOutput(String eps, java.util.function.Predicate<String> wanted,
      String what, String... args) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    String last = "";
    while (System.nanoTime() < deadline) {
      LocalCluster.Result r = etcdctl(eps, args);
      last = r.out();
      if (r.exit() == 0 && wanted.test(last)) {
        return last;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("etcdctl " + List.of(args) + " never showed " + what + "; last:\n"
        + last + "\nn4's log:\n" + (n4 == null ? "" : n4.logText()));
  }

}
