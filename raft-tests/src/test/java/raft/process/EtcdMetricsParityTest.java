package raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Our HTTP surface against real etcd 3.4's, one member each (etcd on ports from offset 230,
 * ours on offset 215): every etcd- or gRPC-named metric we expose exists in etcd's /metrics
 * with the same TYPE and the same label names (so etcd's dashboards and alerts find them),
 * /health answers the same body, and /version has the same keys and cluster version.
 *
 * <p>One member has no peers, so etcd shows no etcd_network_peer_* family (a labelled family
 * with no sample is not printed) and neither do we; MetricsTest checks ours on three members
 * (labels To and From, as etcd's rafthttp/metrics.go names them).
 */
class EtcdMetricsParityTest {
  private static final int ETCD_OFFSET = 230;
  private static final int OURS_OFFSET = 215;

  @Test
  @DisplayName("issue 15: etcd's names we expose have etcd's types and labels; /health and /version match")
  void ourEtcdMetricsMatchRealEtcds() throws Exception {
    Preconditions.requireEtcdctl();
    Path dir = LocalCluster.REPO.resolve("raft-tests/target/etcd-metrics-ref");
    deleteTree(dir);
    int client = 2379 + ETCD_OFFSET;
    String etcdMetrics = "http://127.0.0.1:" + (2381 + ETCD_OFFSET);
    try (MemberProcess etcd = MemberProcess.etcd(dir, client, 12380 + ETCD_OFFSET,
            List.of("--listen-metrics-urls", etcdMetrics));
         LocalCluster ours = new LocalCluster(1, OURS_OFFSET, "metrics-vs-etcd").start()) {
      awaitHealthy(etcdMetrics, etcd);
      assertEquals(0, LocalCluster.run(List.of("etcdctl", "--endpoints=127.0.0.1:" + client,
          "put", "k", "v"), null, 30).exit());
      assertEquals(0, ours.etcdctl(null, "put", "k", "v").exit());
      sameTypesAndLabels(Scrape.of(etcdMetrics), Scrape.of(ours.metricsUrl(1)));
      sameHealth(etcdMetrics, ours.metricsUrl(1));
      // etcd serves /version on its client URL; we serve it there and beside /health.
      Scrape.Answer etcdVersion = Scrape.get("http://127.0.0.1:" + client + "/version");
      for (String ourUrl : List.of("http://" + ours.endpoint(1), ours.metricsUrl(1))) {
        Scrape.Answer ourVersion = Scrape.get(ourUrl + "/version");
        assertEquals(keys(etcdVersion.body()), keys(ourVersion.body()), ourUrl);
        for (String field : List.of("etcdserver", "etcdcluster")) {
          assertEquals(field(etcdVersion.body(), field), field(ourVersion.body(), field), ourUrl);
        }
      }
    }
  }

  private static void sameTypesAndLabels(Scrape etcd, Scrape ours) {
    List<String> compared = new ArrayList<>();
    for (var e : ours.types().entrySet()) {
      String name = e.getKey();
      if (name.startsWith("etcd_") || name.startsWith("grpc_") || name.startsWith("process_cpu")
          || name.equals("process_resident_memory_bytes")) {
        assertEquals(etcd.types().get(name), e.getValue(), "# TYPE of " + name
            + (etcd.types().containsKey(name) ? "" : ": etcd 3.4 has no such metric"));
        assertEquals(etcd.labelNames(name), ours.labelNames(name), "label names of " + name);
        compared.add(name);
      }
    }
    for (String name : MetricsTest.EXPECTED.keySet()) {
      if ((name.startsWith("etcd_") || name.startsWith("grpc_"))
          && !name.startsWith("etcd_network_peer_")) {
        assertTrue(compared.contains(name), name + " was not compared");
      }
    }
  }

  private static void sameHealth(String etcd, String ours) throws Exception {
    for (String q : List.of("", "?serializable=true", "?exclude=NOSPACE")) {
      Scrape.Answer e = Scrape.get(etcd + "/health" + q);
      assertEquals(new Scrape.Answer(200, "{\"health\":\"true\"}"), e, "etcd " + q);
      assertEquals(e, Scrape.get(ours + "/health" + q), "ours " + q);
      assertEquals(Set.of("health"), keys(e.body()));
    }
    assertEquals(Scrape.get(etcd + "/nope").status(), Scrape.get(ours + "/nope").status());
  }

  private static void awaitHealthy(String url, MemberProcess etcd) throws Exception {
    for (int i = 0; i < 100; i++) {
      try {
        if (Scrape.get(url + "/health").status() == 200) {
          return;
        }
      } catch (java.io.IOException notYet) {
        // not listening yet
      }
      assertTrue(etcd.isAlive(), "etcd exited:\n" + etcd.logText());
      Thread.sleep(200);
    }
    throw new AssertionError("etcd never became healthy:\n" + etcd.logText());
  }

  private static Set<String> keys(String json) {
    Set<String> keys = new TreeSet<>();
    Matcher m = Pattern.compile("\"([^\"]+)\":").matcher(json);
    while (m.find()) {
      keys.add(m.group(1));
    }
    return keys;
  }

  private static String field(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\":\"([^\"]*)\"").matcher(json);
    assertTrue(m.find(), key + " in " + json);
    return m.group(1);
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
