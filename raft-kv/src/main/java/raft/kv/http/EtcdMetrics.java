package raft.kv.http;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.LongSupplier;
import raft.core.StateRole;
import raft.kv.mvcc.MvccStore;
import raft.runtime.NodeRuntime;
import raft.transport.PeerStats;
import raft.transport.PeerTransport;

/**
 * The metrics etcd 3.4 has and we have the same thing for, under etcd's names, types, help
 * texts, label names and buckets (server/etcdserver/metrics.go, wal/metrics.go,
 * rafthttp/metrics.go, mvcc/metrics.go), so that etcd's Grafana dashboards and alerts work
 * unchanged. Numbers are read when scraped (callbacks) wherever a number exists already; only
 * the histograms are fed as events happen, by the runtime's and the transport's hooks.
 */
public final class EtcdMetrics {
  private EtcdMetrics() {}

  /**
   * Where the numbers come from.
   *
   * @param version the server version /version and Maintenance.Status report
   * @param dbBytes what `endpoint status` calls DB SIZE (the store's size estimate)
   * @param quotaBytes the space quota (estimated heap bytes of the store)
   * @param proposalsPending proposals waiting to be applied or to fail, now
   * @param proposalsFailed proposals that failed (no leader, timeout, stopped) so far
   * @param leaderChanges leaders this member has seen take over so far
   */
  public record Sources(long memberId, String version, NodeRuntime runtime,
      PeerTransport transport, MvccStore store, LongSupplier dbBytes, LongSupplier quotaBytes,
      LongSupplier proposalsPending, LongSupplier proposalsFailed, LongSupplier leaderChanges) {}

  /** etcd's metrics, ours ({@link RaftKvMetrics}), and the JVM's and the process's. */
  public static void register(PrometheusRegistry r, Sources s) {
    server(r, s);
    disk(r, s);
    network(r, s);
    mvcc(r, s);
    RaftKvMetrics.register(r, s.runtime(), s.store());
    // process_cpu_seconds_total, process_resident_memory_bytes, jvm_memory_*, jvm_gc_*...
    r.register((MultiCollector) JVM::scrape);
  }

  /**
   * The JVM's and the process's metrics, one registry per JVM (they are the JVM's facts, not
   * a member's): JvmMetrics keeps every registry it is given in a static set, forever, so
   * giving it each member's would keep a stopped member's store alive through its callbacks
   * (tests run many members in one JVM).
   */
  private static final PrometheusRegistry JVM = jvm();

  private static PrometheusRegistry jvm() {
    PrometheusRegistry r = new PrometheusRegistry();
    JvmMetrics.builder().register(r);
    JvmAllocationMetrics.register(r);
    return r;
  }

  private static void server(PrometheusRegistry r, Sources s) {
    NodeRuntime rt = s.runtime();
    gauge(r, "etcd_server_has_leader",
        "Whether or not a leader exists. 1 is existence, 0 is not.",
        () -> rt.status().lead() != 0 ? 1 : 0);
    gauge(r, "etcd_server_is_leader",
        "Whether or not this member is a leader. 1 if is, 0 otherwise.",
        () -> rt.status().role() == StateRole.LEADER ? 1 : 0);
    counter(r, "etcd_server_leader_changes_seen_total", "The number of leader changes seen.",
        s.leaderChanges());
    // Gauges in etcd although named _total: the commit and applied indexes.
    gauge(r, "etcd_server_proposals_committed_total",
        "The total number of consensus proposals committed.", () -> rt.status().commit());
    gauge(r, "etcd_server_proposals_applied_total",
        "The total number of consensus proposals applied.", () -> rt.status().applied());
    gauge(r, "etcd_server_proposals_pending",
        "The current number of pending proposals to commit.", s.proposalsPending());
    counter(r, "etcd_server_proposals_failed_total", "The total number of failed proposals seen.",
        s.proposalsFailed());
    gauge(r, "etcd_server_quota_backend_bytes", "Current backend storage quota size in bytes.",
        s.quotaBytes());
    info(r, "etcd_server_id",
        "Server or member ID in hexadecimal format. 1 for 'server_id' label with current ID.",
        "server_id", Long.toHexString(s.memberId()));
    info(r, "etcd_server_version",
        "Which version is running. 1 for 'server_version' label with current version.",
        "server_version", s.version());
    info(r, "etcd_cluster_version", "Which version is running. 1 for 'cluster_version' label"
        + " with current cluster version", "cluster_version", clusterVersion(s.version()));
  }

  private static void disk(PrometheusRegistry r, Sources s) {
    // etcd's buckets: 1 ms to 8.192 s, doubling.
    Histogram fsync = Histogram.builder().name("etcd_disk_wal_fsync_duration_seconds")
        .help("The latency distributions of fsync called by WAL.")
        .classicExponentialUpperBounds(0.001, 2, 14).classicOnly().register(r);
    s.runtime().metrics().observe(new RaftKvMetrics.Observer(fsync, RaftKvMetrics.readBatches(r)));
  }

  private static void network(PrometheusRegistry r, Sources s) {
    PeerTransport t = s.transport();
    CounterWithCallback.builder().name("etcd_network_peer_sent_bytes_total")
        .help("The total number of bytes sent to peers.").labelNames("To")
        .callback(cb -> t.stats().sentBytes().forEach((peer, n) -> cb.call(n, hex(peer))))
        .register(r);
    CounterWithCallback.builder().name("etcd_network_peer_received_bytes_total")
        .help("The total number of bytes received from peers.").labelNames("From")
        .callback(cb -> t.stats().receivedBytes().forEach((peer, n) -> cb.call(n, hex(peer))))
        .register(r);
    // etcd's buckets: 0.1 ms to 3.2768 s, doubling.
    Histogram rtt = Histogram.builder().name("etcd_network_peer_round_trip_time_seconds")
        .help("Round-Trip-Time histogram between peers.").labelNames("To")
        .classicExponentialUpperBounds(0.0001, 2, 16).classicOnly().register(r);
    t.stats().observeRoundTrips(new PeerStats.RttObserver() {
      @Override
      public void roundTrip(long peer, long nanos) {
        rtt.labelValues(hex(peer)).observe(nanos / 1e9);
      }

      @Override
      public void forget(long peer) {
        rtt.remove(hex(peer)); // a removed member's series ends with it
      }
    });
  }

  private static void mvcc(PrometheusRegistry r, Sources s) {
    MvccStore store = s.store();
    gauge(r, "etcd_mvcc_db_total_size_in_bytes",
        "Total size of the underlying database physically allocated in bytes.", s.dbBytes());
    gauge(r, "etcd_debugging_mvcc_keys_total", "Total number of keys.", store::keyCount);
    gauge(r, "etcd_debugging_mvcc_current_revision", "The current revision of store.",
        store::currentRevision);
    gauge(r, "etcd_debugging_mvcc_compact_revision", "The revision of the last compaction in"
        + " store.", store::compactRevision);
  }

  static void gauge(PrometheusRegistry r, String name, String help, LongSupplier value) {
    GaugeWithCallback.builder().name(name).help(help)
        .callback(cb -> cb.call(value.getAsLong())).register(r);
  }

  static void counter(PrometheusRegistry r, String name, String help, LongSupplier value) {
    CounterWithCallback.builder().name(name).help(help)
        .callback(cb -> cb.call(value.getAsLong())).register(r);
  }

  private static void info(PrometheusRegistry r, String name, String help, String label,
      String value) {
    GaugeWithCallback.builder().name(name).help(help).labelNames(label)
        .callback(cb -> cb.call(1, value)).register(r);
  }

  /** etcd's cluster version is major.minor ("3.4"). */
  static String clusterVersion(String version) {
    String[] parts = version.split("\\.");
    return parts.length < 2 ? version : parts[0] + "." + parts[1];
  }

  /** etcd's types.ID: lower-case hex, no padding. */
  static String hex(long id) {
    return Long.toHexString(id);
  }
}
