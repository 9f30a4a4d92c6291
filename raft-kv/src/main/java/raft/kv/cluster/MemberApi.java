package raft.kv.cluster;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import raft.kv.api.etcdserverpb.ClusterGrpc;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.api.etcdserverpb.MemberListRequest;
import raft.kv.client.Clients;
import raft.kv.pb.NodeStatusResponse;

/**
 * etcd's Cluster service as the launcher uses it, the way etcdctl's {@code member} commands
 * would: calls go to the leader if one says so (else to each live member in turn), with a 5 s
 * deadline each, and are retried for a bounded time while the answer is one a healthy cluster
 * outgrows: no leader, a leader change, a deadline, or etcd's strict-reconfiguration refusals
 * (a cluster whose connections are younger than 5 s is "unhealthy"; a learner still behind is
 * not "in sync"). Any other error is final and carries the server's text.
 */
public final class MemberApi {
  static final Duration CALL_DEADLINE = Duration.ofSeconds(5);
  /** Answers worth another try: each clears by itself in a cluster that is making progress. */
  static final List<String> TRANSIENT = List.of("no leader", "leader changed", "timed out",
      "unhealthy cluster", "not enough started members", "in sync with leader",
      "too many requests", "stopped");

  private final ClusterLayout layout;
  private final NodeProcesses procs;
  private final AdminClients admin;

  MemberApi(ClusterLayout layout, NodeProcesses procs, AdminClients admin) {
    this.layout = layout;
    this.procs = procs;
    this.admin = admin;
  }

  /** The live nodes to ask, the leader first when one answers as such. */
  List<Integer> targets() {
    List<Integer> up = new ArrayList<>();
    for (int k = 1; k <= ClusterLayout.MAX_NODES; k++) {
      if (procs.state(k) == NodeProcesses.State.UP) {
        up.add(k);
      }
    }
    for (int k : up) {
      Optional<NodeStatusResponse> s = admin.status(k);
      if (s.isPresent() && s.get().getRole().equals("leader")) {
        up.remove(Integer.valueOf(k));
        up.add(0, k);
        break;
      }
    }
    return up;
  }

  ClusterGrpc.ClusterBlockingStub stub(int k) {
    return ClusterGrpc.newBlockingStub(admin.channel(k))
        .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The membership as the first live member to answer reports it; empty if none does. */
  Optional<List<Member>> list() {
    for (int k : targets()) {
      try {
        return Optional.of(stub(k).memberList(MemberListRequest.getDefaultInstance())
            .getMembersList());
      } catch (StatusRuntimeException e) {
        // the next one
      }
    }
    return Optional.empty();
  }

  /** Members by node (peer URL); members the launcher did not make are left out. */
  Map<Integer, Member> byNode(List<Member> members) {
    Map<Integer, Member> out = new TreeMap<>();
    for (Member m : members) {
      OptionalInt k = layout.nodeOf(m);
      if (k.isPresent()) {
        out.put(k.getAsInt(), m);
      }
    }
    return out;
  }

  /** Node k's member, or a clear error if the cluster does not list it. */
  Member member(int k) {
    List<Member> all = list().orElseThrow(() -> new Clients.Failure(
        "no member answered MemberList (is the cluster running? see scripts/cluster status)"));
    Member m = byNode(all).get(k);
    if (m == null) {
      throw new Clients.Failure(ClusterLayout.name(k) + " (" + layout.peerUrl(k)
          + ") is not a member of the cluster");
    }
    return m;
  }

  /**
   * Calls {@code call} on the targets until it answers, retrying transient refusals for up to
   * {@code budget}; a final error is thrown as the server's text ("etcdserver: ...").
   */
  <T> T call(String what, Duration budget, Function<ClusterGrpc.ClusterBlockingStub, T> call)
      throws InterruptedException {
    long deadline = System.nanoTime() + budget.toNanos();
    String last = "no member is running";
    while (true) {
      for (int k : targets()) {
        try {
          return call.apply(stub(k));
        } catch (StatusRuntimeException e) {
          last = describe(e);
          if (!isTransient(e)) {
            throw new Clients.Failure(what + ": " + last);
          }
        }
      }
      if (System.nanoTime() > deadline) {
        throw new Clients.Failure(what + ": still refused after " + budget.toSeconds()
            + " s: " + last);
      }
      Thread.sleep(250);
    }
  }

  /** A refusal a healthy cluster outgrows: retry it (also the Jepsen harness's MemberClient). */
  public static boolean isTransient(StatusRuntimeException e) {
    Status.Code c = e.getStatus().getCode();
    if (c == Status.Code.UNAVAILABLE || c == Status.Code.DEADLINE_EXCEEDED) {
      return true;
    }
    String d = String.valueOf(e.getStatus().getDescription());
    return TRANSIENT.stream().anyMatch(d::contains);
  }

  static String describe(StatusRuntimeException e) {
    String d = e.getStatus().getDescription();
    return d != null ? d : e.getStatus().getCode().toString();
  }
}
