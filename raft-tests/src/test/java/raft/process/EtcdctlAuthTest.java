package raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 17's users and roles through real etcdctl 3.4, the same commands against our three
 * members and against a real etcd 3.4 beside them: root, {@code auth enable}, a user "app" with
 * readwrite on the prefix /app/ only. Every answer, refusals included, must be etcd's; a refused
 * request writes nothing; a wrong password, many times, gets the same clear error while another
 * client keeps writing; after {@code auth disable} everyone may do everything again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EtcdctlAuthTest {
  private static final int ETCD_CLIENT = 2379 + 335;
  private static final int ETCD_PEER = 2380 + 335;
  private static final String ROOT = "--user=root:rootpw";
  private static final String APP = "--user=app:apppw";
  private static final Pattern REVISION = Pattern.compile("\"revision\":(\\d+)");

  private static LocalCluster cluster;
  private static MemberProcess etcd;
  private static List<Target> targets;

  /** One system under the same commands: ours or real etcd. */
  record Target(String name, String endpoints) {
    LocalCluster.Result ctl(String stdin, String... args) throws Exception {
      List<String> cmd = new ArrayList<>(List.of("etcdctl", "--endpoints=" + endpoints,
          "--command-timeout=15s", "--dial-timeout=15s")); // a loaded machine: bcrypt is slow
      cmd.addAll(List.of(args));
      LocalCluster.Result r = LocalCluster.run(cmd, stdin, 30);
      // clientv3 logs its retries as JSON lines; the answer is the rest.
      return new LocalCluster.Result(r.exit(), r.out().lines()
          .filter(l -> !l.startsWith("{\"level\"")).map(l -> l + "\n")
          .collect(Collectors.joining()));
    }

    /** The store's revision, read as root. */
    long revision() throws Exception {
      LocalCluster.Result r = ctl(null, ROOT, "get", "/", "--prefix", "-w", "json");
      Matcher m = REVISION.matcher(r.out());
      assertTrue(m.find(), () -> name + ": no revision in " + r);
      return Long.parseLong(m.group(1));
    }
  }

  @BeforeAll
  static void start() throws Exception {
    Preconditions.requireEtcdctl();
    cluster = new LocalCluster(3, 330, "etcdctl-auth").start();
    Path dir = LocalCluster.REPO.resolve("raft-tests/target/etcdctl-auth-etcd");
    deleteTree(dir);
    etcd = MemberProcess.etcd(dir, ETCD_CLIENT, ETCD_PEER);
    targets = List.of(new Target("ours", cluster.endpoints()),
        new Target("etcd", "127.0.0.1:" + ETCD_CLIENT));
    awaitHealthy(targets.get(1));
  }

  @AfterAll
  static void stop() throws Exception {
    if (etcd != null) {
      etcd.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Runs the command on both; asserts the same exit code and output; returns ours. */
  private static String same(String stdin, String... args) throws Exception {
    LocalCluster.Result ours = targets.get(0).ctl(stdin, args);
    LocalCluster.Result theirs = targets.get(1).ctl(stdin, args);
    assertEquals(theirs.toString(), ours.toString(), () -> "etcdctl " + String.join(" ", args));
    return ours.out();
  }

  /** The same refusal on both, and neither store's revision moved. */
  private static void refusedOnBoth(String error, String stdin, String... args)
      throws Exception {
    long[] before = {targets.get(0).revision(), targets.get(1).revision()};
    assertEquals(error, same(stdin, args), () -> String.join(" ", args));
    for (int i = 0; i < 2; i++) {
      assertEquals(before[i], targets.get(i).revision(), targets.get(i).name()
          + ": a refused " + String.join(" ", args) + " wrote something");
    }
  }

  @Test
  @Order(1)
  @DisplayName("root, a role with readwrite on /app/, a user with it, auth enable: as etcd")
  void setUp() throws Exception {
    assertEquals("User root created\n", same(null, "user", "add", "root:rootpw"));
    assertEquals("Role root is granted to user root\n",
        same(null, "user", "grant-role", "root", "root"));
    assertEquals("User app created\n", same(null, "user", "add", "app:apppw"));
    assertEquals("Role app-rw created\n", same(null, "role", "add", "app-rw"));
    assertEquals("Role app-rw updated\n", same(null, "role", "grant-permission", "app-rw",
        "--prefix=true", "readwrite", "/app/"));
    assertEquals("Role app-rw is granted to user app\n",
        same(null, "user", "grant-role", "app", "app-rw"));
    assertEquals("Authentication Enabled\n", same(null, "auth", "enable"));
    assertEquals("Role app-rw\nKV Read:\n\t[/app/, /app0) (prefix /app/)\nKV Write:\n"
        + "\t[/app/, /app0) (prefix /app/)\n", same(null, ROOT, "role", "get", "app-rw"));
    assertEquals("OK\n", same(null, ROOT, "put", "/secret/x", "s"));
  }

  @Test
  @Order(2)
  @DisplayName("app may put and get /app/x; no user at all is 'user name is empty'")
  void appOnItsPrefix() throws Exception {
    assertEquals("OK\n", same(null, APP, "put", "/app/x", "1"));
    assertEquals("/app/x\n1\n", same(null, APP, "get", "/app/x"));
    assertEquals("User: app\nRoles: app-rw\n", same(null, APP, "user", "get", "app"));
    refusedOnBoth("Error: etcdserver: user name is empty\n", null, "put", "/app/x", "2");
  }

  @Test
  @Order(3)
  @DisplayName("app is refused on /secret/x: get, put, del, txns touching it; nothing written")
  void appRefusedOnSecret() throws Exception {
    String denied = "Error: etcdserver: permission denied\n";
    refusedOnBoth(denied, null, APP, "get", "/secret/x");
    refusedOnBoth(denied, null, APP, "put", "/secret/x", "2");
    refusedOnBoth(denied, null, APP, "del", "/secret/x");
    // A compare on /secret/x, though the write is app's own.
    refusedOnBoth(denied, "value(\"/secret/x\") = \"s\"\n\nput /app/y 1\n\n\n", APP, "txn");
    // A write to /secret/ in the branch that does not even run.
    refusedOnBoth(denied, "value(\"/app/x\") = \"1\"\n\nput /app/y 1\n\nput /secret/y 1\n\n",
        APP, "txn");
    refusedOnBoth(denied, null, APP, "user", "list");
    assertEquals("/secret/x\ns\n", same(null, ROOT, "get", "/secret/x"));
  }

  @Test
  @Order(4)
  @DisplayName("a watch on /secret/x is created and canceled with etcd's reason")
  void watchRefused() throws Exception {
    String out = same(null, APP, "watch", "/secret/x");
    assertEquals("watch was canceled (rpc error: code = PermissionDenied desc = etcdserver:"
        + " permission denied)\nError: watch is canceled by the server\n", out);
  }

  @Test
  @Order(5)
  @DisplayName("root-only maintenance: hashkv and defrag refused to app with etcd's words")
  void maintenanceNeedsRoot() throws Exception {
    LocalCluster.Result ours = targets.get(0).ctl(null, APP, "--endpoints="
        + cluster.endpoint(1), "endpoint", "hashkv");
    LocalCluster.Result theirs = targets.get(1).ctl(null, APP, "endpoint", "hashkv");
    String why = "(rpc error: code = Unknown desc = auth: permission denied)";
    assertTrue(theirs.out().contains(why), theirs::toString);
    assertTrue(ours.out().contains(why), ours::toString);
    assertEquals(theirs.exit(), ours.exit());
  }

  @Test
  @Order(6)
  @DisplayName("scripts/raftkv's --user and auth verbs print what etcdctl prints")
  void ourCliAsEtcdctl() throws Exception {
    String[][] commands = {{ROOT, "user", "list"}, {ROOT, "role", "list"},
        {ROOT, "user", "get", "app"}, {APP, "role", "get", "app-rw"},
        {APP, "get", "/secret/x"}, {APP, "put", "/app/cli", "1"}, {"get", "/app/x"},
        {"--user=app:wrong", "get", "/app/x"},
        {ROOT, "role", "grant-permission", "app-rw", "read", "/pub/", "--prefix=true"},
        {ROOT, "role", "revoke-permission", "app-rw", "/pub/", "--prefix=true"}};
    for (String[] args : commands) {
      List<String> cmd = new ArrayList<>(List.of(
          LocalCluster.REPO.resolve("scripts/raftkv").toString(),
          "--endpoints=" + cluster.endpoints(), "--command-timeout=15s"));
      cmd.addAll(List.of(args));
      LocalCluster.Result ours = LocalCluster.run(cmd, null, 60);
      LocalCluster.Result theirs = targets.get(1).ctl(null, args);
      assertEquals(theirs.toString(), ours.toString(), String.join(" ", args));
    }
  }

  @Test
  @Order(7)
  @DisplayName("30 wrong passwords: the same error each time; app's writes go on meanwhile")
  void wrongPasswordManyTimes() throws Exception {
    Target ours = targets.get(0);
    String wrong = "Error: etcdserver: authentication failed, invalid user ID or password\n";
    assertEquals(wrong, same(null, "--user=app:wrong", "get", "/app/x"));
    CompletableFuture<List<String>> writes = CompletableFuture.supplyAsync(() -> {
      List<String> outs = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        try {
          outs.add(ours.ctl(null, APP, "put", "/app/w", String.valueOf(i)).out());
        } catch (Exception e) {
          outs.add(e.toString());
        }
      }
      return outs;
    });
    for (int i = 0; i < 30; i++) {
      LocalCluster.Result r = ours.ctl(null, "--user=app:wrong" + i, "get", "/app/x");
      assertEquals(wrong, r.out(), "attempt " + i);
    }
    assertEquals(java.util.Collections.nCopies(10, "OK\n"), writes.get());
    assertEquals("/app/w\n9\n", ours.ctl(null, APP, "get", "/app/w").out());
  }

  @Test
  @Order(8)
  @DisplayName("after auth disable everyone may do everything again")
  void authDisable() throws Exception {
    assertEquals("Authentication Disabled\n", same(null, ROOT, "auth", "disable"));
    assertEquals("/secret/x\ns\n", same(null, "get", "/secret/x"));
    assertEquals("OK\n", same(null, APP, "put", "/secret/x", "app"));
    assertEquals("1\n", same(null, "del", "/secret/x"));
  }

  private static void awaitHealthy(Target t) throws Exception {
    for (int i = 0; i < 60; i++) {
      if (t.ctl(null, "endpoint", "health").exit() == 0) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError(t.name() + " not healthy within 15 s:\n" + etcd.logText());
  }

  private static void deleteTree(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
