package raft.kv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.main.CliRun;
import raft.kv.server.InProcessCluster;

/**
 * The client verbs end to end against real members (in this JVM, on loopback). The first
 * endpoint is always a dead port, so every test also checks that the client moves on to the
 * next endpoint.
 */
class ClientVerbsTest {
  @TempDir static Path dir;
  private static InProcessCluster cluster;
  private static InProcessCluster noQuorum;
  private static String endpoints;

  @BeforeAll
  static void start() throws Exception {
    cluster = new InProcessCluster(3, 3, dir.resolve("three"));
    // n1 of a 3-member cluster whose other members never start: it can never elect a leader.
    noQuorum = new InProcessCluster(3, 1, dir.resolve("alone"));
    cluster.awaitLeader();
    endpoints = "127.0.0.1:" + InProcessCluster.freePort().getPort() + ","
        + cluster.endpoints().replace("127.0.0.1", "http://127.0.0.1");
  }

  @AfterAll
  static void stop() {
    cluster.close();
    noQuorum.close();
  }

  private static CliRun ok(String... args) {
    CliRun r = CliRun.run(args);
    assertEquals(0, r.exit(), r::err);
    return r;
  }

  @Test
  void putThenGetFromTheFirstEndpointThatAnswers() {
    assertEquals("OK\n", ok("--endpoints", endpoints, "put", "foo", "bar").out());
    assertEquals("foo\nbar\n", ok("--endpoints", endpoints, "get", "foo").out());
  }

  @Test
  void globalOptionsMayFollowTheVerb() {
    ok("--endpoints", endpoints, "put", "opt", "value");
    assertEquals("value\n",
        ok("get", "opt", "--print-value-only", "--endpoints", endpoints).out());
  }

  @Test
  void getSortsByTargetAndOrderAsEtcdctl() {
    ok("--endpoints", endpoints, "put", "s/a", "3");
    ok("--endpoints", endpoints, "put", "s/b", "1");
    ok("--endpoints", endpoints, "put", "s/c", "2");
    assertEquals("s/b\n1\ns/c\n2\ns/a\n3\n",
        ok("--endpoints", endpoints, "get", "s/", "--prefix", "--sort-by", "VALUE").out());
    assertEquals("3\n2\n1\n", ok("--endpoints", endpoints, "get", "s/", "--prefix",
        "--sort-by", "value", "--order", "DESCEND", "--print-value-only").out());
    assertEquals("s/c\ns/b\ns/a\n", ok("--endpoints", endpoints, "get", "s/", "--prefix",
        "--order", "DESCEND", "--keys-only").out().replace("\n\n", "\n"));
    CliRun bad = CliRun.run("--endpoints", endpoints, "get", "s/", "--sort-by", "SIZE");
    assertEquals(1, bad.exit());
    assertEquals("Error: bad sort target SIZE", bad.errLine());
  }

  @Test
  void serverErrorsPrintLikeEtcdctl() {
    CliRun r = CliRun.run("--endpoints", noQuorum.endpoints(), "--command-timeout", "3s",
        "put", "k", "v");
    assertEquals(1, r.exit());
    assertEquals("Error: etcdserver: no leader", r.errLine());
  }

  @Test
  void noEndpointAnswers() throws IOException {
    CliRun r = CliRun.run("--endpoints",
        "127.0.0.1:" + InProcessCluster.freePort().getPort(), "get", "k");
    assertEquals(1, r.exit());
    assertTrue(r.errLine().startsWith("Error: context deadline exceeded"), r.err());
  }

  @Test
  void watchFromAPastRevisionStopsAfterMaxEvents() {
    ok("--endpoints", endpoints, "put", "w/a", "1");
    ok("--endpoints", endpoints, "put", "w/ab", "2");
    String json = ok("--endpoints", endpoints, "get", "w/a", "-w", "json").out();
    Matcher m = Pattern.compile("\"mod_revision\":(\\d+)").matcher(json);
    assertTrue(m.find(), json);
    CliRun r = ok("--endpoints", endpoints, "watch", "w/a", "--prefix", "--rev", m.group(1),
        "--max-events", "2");
    assertEquals("PUT\nw/a\n1\nPUT\nw/ab\n2\n", r.out());
  }

  @Test
  void txnFromStdin() {
    ok("--endpoints", endpoints, "put", "t", "v");
    CliRun r = CliRun.withStdin("value(\"t\") = \"v\"\n\nput t w\n\nput t x\n\n",
        "--endpoints", endpoints, "txn");
    assertEquals(0, r.exit(), r.err());
    assertEquals("SUCCESS\n\nOK\n", r.out());
    assertEquals("w\n", ok("--endpoints", endpoints, "get", "t", "--print-value-only").out());
  }

  @Test
  void leaseGrantAndTimeToLive() {
    String out = ok("--endpoints", endpoints, "lease", "grant", "30").out();
    Matcher m = Pattern.compile("lease ([0-9a-f]+) granted with TTL\\(30s\\)\n").matcher(out);
    assertTrue(m.matches(), out);
    String ttl = ok("--endpoints", endpoints, "lease", "timetolive", m.group(1)).out();
    assertTrue(ttl.contains("granted with TTL(30s)"), ttl);
  }

  @Test
  void moveLeaderAsksTheLeaderEndpoint() throws Exception {
    long leader = cluster.awaitLeader();
    long target = leader % 3 + 1;
    CliRun r = ok("--endpoints", endpoints, "move-leader", Long.toHexString(target));
    assertEquals("Leadership transferred from " + leader + " to " + target + "\n", r.out());
  }

  @Test
  void endpointStatusReportsTheDeadOne() {
    CliRun r = CliRun.run("--endpoints", endpoints, "endpoint", "status");
    assertEquals(1, r.exit());
    assertTrue(r.errLine().startsWith("Failed to get the status of endpoint 127.0.0.1:"),
        r.err());
    assertEquals(3, r.out().lines().filter(l -> l.contains(", 3.4.23, ")).count(), r.out());
  }
}
