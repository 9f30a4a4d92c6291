package raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 17's "done when": {@code scripts/cluster start --tls} and the etcdctl line it prints
 * work. Real etcdctl 3.4 runs the printed line exactly as printed (through bash, as a user
 * pastes it); our CLI runs the printed scripts/raftkv line. Then the launcher's own verbs on the
 * TLS cluster (they must find TLS in cluster.properties by themselves): status, transfer, kill
 * of the leader and a new leader elected over TLS peer traffic, restart, and the restarted
 * member caught up. A client without TLS, and one with the CA but no client certificate, are
 * refused. Port offset 290.
 */
class ClusterTlsTest {

  @Test
  void startTlsPrintsAnEtcdctlLineThatWorksAndEveryVerbKeepsTls() throws Exception {
    Preconditions.requireEtcdctl();
    try (LocalCluster cluster = new LocalCluster(3, 290, "tls").withTls().start()) {
      String out = cluster.startOutput();
      String get = printed(out, "etcdctl", " get greeting");
      String status = printed(out, "etcdctl", " endpoint status -w table");
      String put = printed(out, "scripts/raftkv", " put greeting hello")
          .replace("scripts/raftkv", "java -jar " + LocalCluster.JAR);

      LocalCluster.Result p = bash(put);
      assertEquals(0, p.exit(), put + "\n" + p);
      LocalCluster.Result g = bash(get);
      assertEquals(0, g.exit(), get + "\n" + g);
      assertTrue(g.out().endsWith("greeting\nhello\n"), get + "\n" + g);
      LocalCluster.Result s = bash(status);
      assertEquals(0, s.exit(), status + "\n" + s);
      for (int k = 1; k <= 3; k++) {
        assertTrue(s.out().contains(cluster.endpoint(k)), s.out());
      }
      assertTrue(cluster.endpoint(1).startsWith("https://127.0.0.1:"), cluster.endpoint(1));

      LocalCluster.Result st = cluster.cluster("status");
      assertEquals(0, st.exit(), st.out());
      assertTrue(st.out().contains("leader") && st.out().contains(cluster.endpoint(3)), st.out());

      // n1 leads, so that killing it needs an election among n2 and n3 over TLS peer traffic.
      assertEquals(0, cluster.cluster("transfer", "n1").exit());
      cluster.awaitLeader(0, 30_000);
      assertEquals(0, cluster.cluster("kill", "n1").exit());
      int leader = cluster.awaitLeader(1, 30_000);
      assertNotEquals(1, leader);
      LocalCluster.Result restarted = cluster.cluster("restart", "n1");
      assertEquals(0, restarted.exit(), restarted.out());
      LocalCluster.Result fromN1 = bash(get.replace("--endpoints=" + cluster.endpoints(),
          "--endpoints=" + cluster.endpoint(1)));
      // etcdctl may retry (and warn on stderr) while the restarted n1 learns who leads.
      assertEquals(0, fromN1.exit(), "n1 caught up: " + fromN1);
      assertTrue(fromN1.out().endsWith("greeting\nhello\n"), "n1 caught up: " + fromN1);

      refusedWithoutTheClientCertificate(cluster);
    }
  }

  private static void refusedWithoutTheClientCertificate(LocalCluster cluster) throws Exception {
    String plainEndpoint = cluster.endpoint(2).replace("https://", "");
    LocalCluster.Result plain = LocalCluster.run(List.of("etcdctl", "--endpoints="
        + plainEndpoint, "--dial-timeout=3s", "--command-timeout=5s", "get", "greeting"),
        null, 30);
    assertNotEquals(0, plain.exit(), "plain text on a TLS port: " + plain);
    assertTrue(!plain.out().contains("hello"), plain.out());
    LocalCluster.Result noCert = LocalCluster.run(List.of("etcdctl", "--endpoints="
        + cluster.endpoint(2), "--cacert=" + cluster.clientTls().cacert(), "--dial-timeout=3s",
        "--command-timeout=5s", "get", "greeting"), null, 30);
    assertNotEquals(0, noCert.exit(), "no client certificate: " + noCert);
    assertTrue(!noCert.out().contains("hello"), noCert.out());
  }

  /** The line start printed that runs {@code tool} and ends with {@code tail}, trimmed. */
  private static String printed(String startOutput, String tool, String tail) {
    return Arrays.stream(startOutput.split("\n")).map(String::strip)
        .map(l -> l.startsWith("try: ") ? l.substring(5) : l)
        .filter(l -> l.contains(tool) && l.endsWith(tail)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + tool + " line ending '" + tail
            + "' in:\n" + startOutput));
  }

  private static LocalCluster.Result bash(String line) throws Exception {
    return LocalCluster.run(List.of("bash", "-c", line), null, 60);
  }
}
