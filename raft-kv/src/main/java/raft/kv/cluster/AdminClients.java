package raft.kv.cluster;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import raft.kv.pb.AdminGrpc;
import raft.kv.pb.NodeStatusRequest;
import raft.kv.pb.NodeStatusResponse;
import raft.kv.pb.PartitionRequest;

/**
 * The launcher's view into each node: {@code raftkvpb.Admin} on the node's client port (over
 * TLS with the cluster's client certificate when it runs with TLS). Calls
 * carry a short deadline, so a down or paused node costs at most that; never call a paused
 * node on purpose. Not thread-safe; close it when done.
 */
final class AdminClients implements AutoCloseable {
  private static final long DEADLINE_MILLIS = 500;
  private static final long PARTITION_DEADLINE_MILLIS = 5000;

  private final ClusterTls tls; // the cluster's client certificate, when it runs with TLS
  private final Map<Integer, ManagedChannel> channels = new HashMap<>();

  AdminClients(ClusterLayout layout) {
    this.tls = new ClusterTls(layout);
  }

  /** Node k's client channel (kept open until close). */
  ManagedChannel channel(int k) {
    ManagedChannel ch = channels.computeIfAbsent(k, n -> tls.dial(n));
    // A node that is still starting refused earlier connections; skip gRPC's backoff.
    ch.resetConnectBackoff();
    return ch;
  }

  private AdminGrpc.AdminBlockingStub stub(int k) {
    return AdminGrpc.newBlockingStub(channel(k))
        .withDeadlineAfter(DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Node k's Raft status, or empty if it does not answer in time. */
  Optional<NodeStatusResponse> status(int k) {
    try {
      return Optional.of(stub(k).nodeStatus(NodeStatusRequest.getDefaultInstance()));
    } catch (StatusRuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Cuts node k off from the given member ids (empty heals it); gRPC errors propagate. A longer
   * deadline than status: a member without a leader (just what a partition makes) was seen to
   * take more than 500 ms to answer on two busy cores, and heal must not fail for that.
   */
  void partition(int k, List<Long> cutPeers) {
    AdminGrpc.newBlockingStub(channel(k)).withDeadlineAfter(PARTITION_DEADLINE_MILLIS,
        TimeUnit.MILLISECONDS).partition(PartitionRequest.newBuilder().addAllCutPeers(cutPeers)
        .build());
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }
}
