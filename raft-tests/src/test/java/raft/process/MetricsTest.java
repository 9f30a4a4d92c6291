package raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: every member of a real 3-member cluster serves etcd's metrics on its client port
 * + 2 (what scripts/cluster passes as --listen-metrics-urls), with etcd's names and types, and
 * the numbers move: proposals commit, the WAL fsyncs, the leader sends bytes, each put is a
 * handled gRPC call. A member cut off by `scripts/cluster partition` loses its leader
 * (etcd_server_has_leader 0, /health false) while the others stay healthy, and it runs pre-votes
 * without starting an election (our raftkv_ counters show it); `heal` brings it back.
 */
class MetricsTest {
  static final int OFFSET = 210;
  private static final int PUTS = 5;

  /** Every metric issue 15 names (etcd's, gRPC's, the process's, ours) and its type. */
  static final Map<String, String> EXPECTED = expected();

  private static Map<String, String> expected() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("etcd_server_has_leader", "gauge");
    m.put("etcd_server_is_leader", "gauge");
    m.put("etcd_server_leader_changes_seen_total", "counter");
    m.put("etcd_server_proposals_committed_total", "gauge"); // etcd's: a gauge, despite _total
    m.put("etcd_server_proposals_applied_total", "gauge");
    m.put("etcd_server_proposals_pending", "gauge");
    m.put("etcd_server_proposals_failed_total", "counter");
    m.put("etcd_disk_wal_fsync_duration_seconds", "histogram");
    m.put("etcd_network_peer_round_trip_time_seconds", "histogram");
    m.put("etcd_network_peer_sent_bytes_total", "counter");
    m.put("etcd_network_peer_received_bytes_total", "counter");
    m.put("etcd_mvcc_db_total_size_in_bytes", "gauge");
    m.put("etcd_debugging_mvcc_keys_total", "gauge");
    m.put("etcd_server_id", "gauge");
    m.put("etcd_server_version", "gauge");
    m.put("grpc_server_started_total", "counter");
    m.put("grpc_server_handled_total", "counter");
    m.put("process_cpu_seconds_total", "counter");
    m.put("process_resident_memory_bytes", "gauge");
    m.put("jvm_memory_used_bytes", "gauge");
    m.put("raftkv_raft_elections_started_total", "counter");
    m.put("raftkv_raft_prevotes_started_total", "counter");
    m.put("raftkv_raft_prevotes_lost_total", "counter");
    m.put("raftkv_read_index_batch_size", "histogram");
    return m;
  }

  @Test
  @DisplayName("issue 15: etcd's metrics on every member; has_leader and /health follow a partition")
  void etcdMetricsOnEveryMemberFollowAPartition() throws Exception {
    Preconditions.requireEtcdctl();
    try (LocalCluster cluster = new LocalCluster(3, OFFSET, "metrics").start()) {
      for (int i = 0; i < PUTS; i++) {
        assertEquals(0, cluster.etcdctl(null, "put", "k" + i, "v" + i).exit());
      }
      // The leader is the one whose own scrape says so (asking it separately could race an
      // election on a slow machine); exactly one must.
      Map<Integer, Scrape> scrapes = new LinkedHashMap<>();
      for (int k = 1; k <= 3; k++) {
        scrapes.put(k, Scrape.of(cluster.metricsUrl(k)));
      }
      List<Integer> leaders = scrapes.keySet().stream()
          .filter(k -> scrapes.get(k).value("etcd_server_is_leader") == 1.0).toList();
      assertEquals(1, leaders.size(), "members saying etcd_server_is_leader 1: " + leaders);
      int leader = leaders.get(0);
      double puts = 0;
      for (int k = 1; k <= 3; k++) {
        Scrape s = scrapes.get(k);
        everyNameWithItsType(s, k, k == leader);
        assertTrue(s.value("etcd_server_proposals_committed_total") > PUTS, "n" + k);
        assertTrue(s.value("etcd_disk_wal_fsync_duration_seconds_count") > 0, "n" + k);
        assertEquals(1.0, s.value("etcd_server_has_leader"), "n" + k);
        puts += s.sum("grpc_server_handled_total", Map.of("grpc_method", "Put",
            "grpc_code", "OK", "grpc_service", "etcdserverpb.KV", "grpc_type", "unary"));
      }
      assertTrue(puts >= PUTS, "every put is a handled call: " + puts);
      leaderTalksToEachPeer(Scrape.of(cluster.metricsUrl(leader)), leader);
      versionIsEtcds(cluster);
      partitionAndHeal(cluster);
    }
  }

  /**
   * Round trips are timed from the leader's heartbeats, so only the leader has them (a
   * labelled family with no sample yet is not shown, in etcd too).
   */
  private static void everyNameWithItsType(Scrape s, int k, boolean leader) {
    EXPECTED.forEach((name, type) -> {
      if (leader || !name.equals("etcd_network_peer_round_trip_time_seconds")) {
        assertEquals(type, s.types().get(name), "n" + k + ": # TYPE of " + name);
      }
    });
  }

  /** The leader sends to and hears from both followers; heartbeats give round trips. */
  private static void leaderTalksToEachPeer(Scrape s, int leader) {
    for (int peer = 1; peer <= 3; peer++) {
      if (peer == leader) {
        continue;
      }
      String hex = Long.toHexString(peer); // a local cluster's member ids are 1, 2, 3
      assertTrue(s.sum("etcd_network_peer_sent_bytes_total", Map.of("To", hex)) > 0, hex);
      assertTrue(s.sum("etcd_network_peer_received_bytes_total", Map.of("From", hex)) > 0, hex);
      assertTrue(s.sum("etcd_network_peer_round_trip_time_seconds_count", Map.of("To", hex))
          > 0, hex);
    }
    assertEquals(List.of("1.0E-4", "2.0E-4"), s.buckets(
        "etcd_network_peer_round_trip_time_seconds").subList(0, 2), "etcd's buckets from 0.1 ms");
    assertEquals(17, s.buckets("etcd_network_peer_round_trip_time_seconds").size());
    List<String> fsync = s.buckets("etcd_disk_wal_fsync_duration_seconds");
    assertEquals(List.of("0.001", "0.002"), fsync.subList(0, 2));
    assertEquals(List.of("8.192", "+Inf"), fsync.subList(13, 15));
  }

  private static void versionIsEtcds(LocalCluster cluster) throws Exception {
    for (int k = 1; k <= 3; k++) {
      Scrape.Answer v = Scrape.get(cluster.metricsUrl(k) + "/version");
      assertEquals(new Scrape.Answer(200, "{\"etcdserver\":\"3.4.23\",\"etcdcluster\":\"3.4.0\"}"),
          v);
    }
  }

  private static void partitionAndHeal(LocalCluster cluster) throws Exception {
    String n3 = cluster.metricsUrl(3);
    String n1 = cluster.metricsUrl(1);
    assertEquals(0, cluster.cluster("partition", "n3").exit());
    double hasLeader = await(() -> Scrape.of(n3).value("etcd_server_has_leader"), 0.0);
    assertEquals(0.0, hasLeader, "n3, cut off, must lose its leader");
    Scrape cut = Scrape.of(n3);
    double elections = cut.value("raftkv_raft_elections_started_total");
    double preVotes = cut.value("raftkv_raft_prevotes_started_total");
    assertEquals(new Scrape.Answer(503, "{\"health\":\"false\",\"reason\":\"RAFT NO LEADER\"}\n"),
        Scrape.get(n3 + "/health"));
    assertEquals(503, Scrape.get(n3 + "/health?serializable=true").status());
    // n1 is on the majority side: healthy once that side has a leader (it may need an election).
    assertEquals(200.0, await(() -> (double) Scrape.get(n1 + "/health").status(), 200.0));
    assertEquals("{\"health\":\"true\"}", Scrape.get(n1 + "/health").body());
    // Pre-vote (thesis §9.6): n3 keeps asking and never starts a real election, so its term
    // stays and it will not disturb the others when it comes back.
    assertTrue(await(() -> Scrape.of(n3).value("raftkv_raft_prevotes_started_total"),
        v -> v > preVotes) > preVotes, "n3 keeps asking for pre-votes");
    assertEquals(elections, Scrape.of(n3).value("raftkv_raft_elections_started_total"));

    assertEquals(0, cluster.cluster("heal").exit());
    assertEquals(1.0, await(() -> Scrape.of(n3).value("etcd_server_has_leader"), 1.0),
        "n3 follows a leader again after heal");
    assertEquals(200.0, await(() -> (double) Scrape.get(n3 + "/health").status(), 200.0));
  }

  interface Probe {
    double read() throws Exception;
  }

  /** Reads {@code probe} every 200 ms for up to 30 s until it equals {@code want}; the last. */
  static double await(Probe probe, double want) throws Exception {
    return await(probe, v -> v == want);
  }

  static double await(Probe probe, java.util.function.DoublePredicate done) throws Exception {
    double last = probe.read();
    for (int i = 0; i < 150 && !done.test(last); i++) {
      Thread.sleep(200);
      last = probe.read();
    }
    return last;
  }
}
