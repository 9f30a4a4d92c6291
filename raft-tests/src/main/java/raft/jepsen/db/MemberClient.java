package raft.jepsen.db;

import io.grpc.ManagedChannel;
import raft.jepsen.client.Dialer;
import io.grpc.StatusRuntimeException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import raft.kv.api.etcdserverpb.ClusterGrpc;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.api.etcdserverpb.MemberListRequest;
import raft.kv.cluster.MemberApi;

/**
 * etcd's Cluster API from the harness's side: which member id is which node (by peer URL, the
 * one thing the harness chose), and member calls retried over the live members while the
 * answer is one a healthy cluster outgrows (no leader, a deadline, etcd's "unhealthy cluster"
 * for connections younger than 5 s, a learner not yet "in sync"). Not thread-safe.
 */
final class MemberClient implements AutoCloseable {
  private final List<String> endpoints;
  private final int[] peerPorts;
  private final Dialer dialer;
  private final Map<Integer, ManagedChannel> channels = new HashMap<>();

  /** @param peerPorts node k's peer port at index k - 1 (offset applied) */
  MemberClient(List<String> endpoints, int[] peerPorts, Dialer dialer) {
    this.endpoints = endpoints;
    this.peerPorts = peerPorts;
    this.dialer = dialer;
  }

  ClusterGrpc.ClusterBlockingStub stub(int k, long deadlineMillis) {
    ManagedChannel ch = channels.computeIfAbsent(k, n -> dialer.dial(endpoints.get(n - 1)));
    ch.resetConnectBackoff();
    return ClusterGrpc.newBlockingStub(ch).withDeadlineAfter(deadlineMillis,
        TimeUnit.MILLISECONDS);
  }

  /** Node k of a member, by its peer URL's host and port (http or https); 0 if none of ours. */
  int nodeOf(Member m) {
    for (int k = 1; k <= peerPorts.length; k++) {
      String hostPort = "://127.0.0.1:" + peerPorts[k - 1];
      if (m.getPeerURLsList().stream().anyMatch(u -> u.endsWith(hostPort))) {
        return k;
      }
    }
    return 0;
  }

  /** The member list from the first of {@code asked} to answer. */
  Optional<List<Member>> list(Iterable<Integer> asked) {
    for (int k : asked) {
      try {
        return Optional.of(stub(k, 2000).memberList(MemberListRequest.getDefaultInstance())
            .getMembersList());
      } catch (StatusRuntimeException e) {
        // the next one
      }
    }
    return Optional.empty();
  }

  /** Member id by node, from the first of {@code asked} to answer; empty map if none does. */
  Map<Integer, Long> ids(Iterable<Integer> asked) {
    Map<Integer, Long> ids = new HashMap<>();
    list(asked).ifPresent(ms -> ms.forEach(m -> {
      int k = nodeOf(m);
      if (k != 0) {
        ids.put(k, m.getID());
      }
    }));
    return ids;
  }

  /** Calls {@code call} on {@code asked} in turn, retrying transient refusals, bounded. */
  <T> T call(String what, Iterable<Integer> asked, long budgetMillis,
      Function<ClusterGrpc.ClusterBlockingStub, T> call) throws InterruptedException {
    long deadline = System.nanoTime() + budgetMillis * 1_000_000;
    String last = "no member to ask";
    while (true) {
      for (int k : asked) {
        try {
          return call.apply(stub(k, 5000));
        } catch (StatusRuntimeException e) {
          last = "n" + k + ": " + e.getStatus();
          if (!MemberApi.isTransient(e)) {
            throw new IllegalStateException(what + " refused: " + last);
          }
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(what + " still refused after " + budgetMillis
            + " ms: " + last);
      }
      Thread.sleep(250);
    }
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }
}
