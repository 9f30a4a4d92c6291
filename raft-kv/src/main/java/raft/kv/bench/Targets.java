package raft.kv.bench;

import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import raft.kv.api.etcdserverpb.MaintenanceGrpc;
import raft.kv.api.etcdserverpb.StatusRequest;
import raft.kv.api.etcdserverpb.StatusResponse;
import raft.kv.client.ClientTls;
import raft.kv.client.Clients;

/**
 * Chooses the endpoints a run talks to and opens its connections. Blocking: one
 * Maintenance.Status per endpoint, each bounded by the deadline.
 */
final class Targets {
  private Targets() {}

  /** The endpoints of {@code endpoints} that match the target, in the given order. */
  static List<String> resolve(List<String> endpoints, BenchConfig.Target target,
      long deadlineMs, ClientTls tls) {
    if (target == BenchConfig.Target.ALL) {
      return endpoints;
    }
    List<String> leaders = new ArrayList<>();
    List<String> followers = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (String ep : endpoints) {
      ManagedChannel ch = Clients.dial(ep, tls);
      try {
        StatusResponse s = MaintenanceGrpc.newBlockingStub(ch)
            .withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
            .status(StatusRequest.getDefaultInstance());
        boolean leader = s.getLeader() != 0 && s.getLeader() == s.getHeader().getMemberId();
        (leader ? leaders : followers).add(ep);
      } catch (RuntimeException e) {
        failures.add(ep + ": " + Clients.errorMessage(e));
      } finally {
        ch.shutdownNow();
      }
    }
    List<String> chosen = target == BenchConfig.Target.LEADER ? leaders : followers;
    if (chosen.isEmpty()) {
      throw new Clients.Failure("no " + target.name().toLowerCase() + " among the endpoints "
          + String.join(",", endpoints)
          + (failures.isEmpty() ? "" : " (unreachable: " + String.join("; ", failures) + ")"));
    }
    return chosen;
  }

  /**
   * {@code conns} channels, spread round-robin over the endpoints, with etcdctl's TLS flags
   * when given ({@code --cacert --cert --key}); the caller closes them.
   */
  static List<ManagedChannel> open(List<String> endpoints, int conns, ClientTls tls) {
    List<ManagedChannel> out = new ArrayList<>();
    for (int i = 0; i < conns; i++) {
      ManagedChannel ch = Clients.dial(endpoints.get(i % endpoints.size()), tls);
      ch.getState(true); // start connecting now, not on the first request
      out.add(ch);
    }
    return out;
  }

  static void close(List<ManagedChannel> channels) {
    channels.forEach(ManagedChannel::shutdownNow);
  }
}
