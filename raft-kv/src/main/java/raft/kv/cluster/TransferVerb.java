package raft.kv.cluster;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import raft.kv.api.etcdserverpb.MaintenanceGrpc;
import raft.kv.api.etcdserverpb.MoveLeaderRequest;
import raft.kv.client.Clients;
import raft.kv.pb.NodeStatusResponse;

/**
 * {@code scripts/cluster transfer nK}: hands leadership to nK the way {@code etcdctl
 * move-leader} does, by etcd's Maintenance.MoveLeader sent to the current leader (thesis
 * §3.10: the leader brings nK up to date, then tells it to campaign at once).
 */
@Command(name = "transfer", description = "Transfers leadership to nK (etcd's MoveLeader, as"
    + " etcdctl move-leader).")
final class TransferVerb extends ClusterCommand.NodeVerb {
  /** etcd's own limit for a transfer is about an election timeout; leave room for a slow disk. */
  static final long DEADLINE_SECONDS = 10;

  @Override
  int run() throws Exception {
    ClusterLayout l = layout();
    int k = member(l);
    NodeProcesses procs = new NodeProcesses(l);
    try (AdminClients admin = new AdminClients(l)) {
      MemberApi api = new MemberApi(l, procs, admin);
      Ids ids = api.list().map(ms -> Ids.of(l, ms)).orElse(Ids.ofNodes());
      Optional<Integer> leader = api.targets().stream().filter(n -> admin.status(n)
          .map(NodeStatusResponse::getRole).filter("leader"::equals).isPresent()).findFirst();
      if (leader.isEmpty()) {
        throw new Clients.Failure("no leader to transfer from (is an election under way?)");
      }
      if (leader.get() == k) {
        out().println(node + " is already the leader");
        return 0;
      }
      MaintenanceGrpc.newBlockingStub(admin.channel(leader.get()))
          .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
          .moveLeader(MoveLeaderRequest.newBuilder().setTargetID(ids.id(k)).build());
      out().println("leadership transferred from " + ClusterLayout.name(leader.get()) + " to "
          + node);
    }
    return 0;
  }
}
