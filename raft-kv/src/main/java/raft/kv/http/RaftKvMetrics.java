package raft.kv.http;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import raft.kv.mvcc.MvccStore;
import raft.runtime.NodeRuntime;
import raft.runtime.RuntimeMetrics;

/**
 * Ours, which etcd lacks, under {@code raftkv_}: what a student watching elections wants to
 * count. The README lists each with what it means.
 */
final class RaftKvMetrics {
  private RaftKvMetrics() {}

  static void register(PrometheusRegistry r, NodeRuntime rt, MvccStore store) {
    RuntimeMetrics m = rt.metrics();
    EtcdMetrics.counter(r, "raftkv_raft_elections_started_total", "Elections this member"
        + " started as a candidate, each at a new term (Raft §5.2).",
        () -> m.elections().electionsStarted());
    EtcdMetrics.counter(r, "raftkv_raft_prevotes_started_total", "Pre-vote rounds this member"
        + " started before an election (thesis §9.6), won or not.",
        () -> m.elections().preVotesStarted());
    EtcdMetrics.counter(r, "raftkv_raft_prevotes_lost_total", "Pre-vote rounds a majority"
        + " refused: the member went back to following without disturbing the term.",
        () -> m.elections().preVotesLost());
    EtcdMetrics.gauge(r, "raftkv_raft_term", "The current Raft term as this member knows it.",
        () -> rt.status().term());
    EtcdMetrics.gauge(r, "raftkv_raft_last_index", "The index of the last entry in this"
        + " member's log (written, not necessarily committed).", () -> rt.status().lastIndex());
    EtcdMetrics.gauge(r, "raftkv_mvcc_history_size_in_bytes", "Estimated heap bytes of the"
        + " store's keys, values and history: what the space quota is checked against.",
        store::sizeBytes);
  }

  /** Linearizable reads confirmed together by one Ready (one round of heartbeats). */
  static Histogram readBatches(PrometheusRegistry r) {
    return Histogram.builder().name("raftkv_read_index_batch_size")
        .help("Linearizable reads confirmed together by one ReadIndex round (thesis §6.4):"
            + " under load one round of heartbeats serves many reads.")
        .classicExponentialUpperBounds(1, 2, 11).classicOnly().register(r);
  }

  /** Feeds the runtime's events to the histograms. */
  record Observer(Histogram fsync, Histogram readBatches) implements RuntimeMetrics.Observer {
    @Override
    public void walFsync(long nanos) {
      fsync.observe(nanos / 1e9);
    }

    @Override
    public void readIndexBatch(int reads) {
      readBatches.observe(reads);
    }
  }
}
