package raft.kv.server;

import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import raft.core.StateRole;
import raft.kv.api.etcdserverpb.AlarmRequest;
import raft.kv.api.etcdserverpb.AlarmResponse;
import raft.kv.api.etcdserverpb.MaintenanceGrpc;
import raft.kv.api.etcdserverpb.MoveLeaderRequest;
import raft.kv.api.etcdserverpb.MoveLeaderResponse;
import raft.kv.api.etcdserverpb.StatusRequest;
import raft.kv.api.etcdserverpb.StatusResponse;
import raft.runtime.NodeRuntime;

/** etcd's Maintenance service: status, leadership transfer, and an always-empty alarm list. */
final class MaintenanceService extends MaintenanceGrpc.MaintenanceImplBase {
  /** The etcd API version we speak; etcdctl prints it in `endpoint status`. */
  static final String VERSION = "3.4.0";

  private final NodeRuntime runtime;
  private final LongSupplier diskBytes;
  private final Headers headers;
  private final List<Long> memberIds;
  private final LeaderEvents leaders;
  private final long transferTimeoutMillis;

  MaintenanceService(NodeRuntime runtime, LongSupplier diskBytes, Headers headers, List<Long> memberIds,
      LeaderEvents leaders, long transferTimeoutMillis) {
    this.runtime = runtime;
    this.leaders = leaders;
    this.diskBytes = diskBytes;
    this.headers = headers;
    this.memberIds = List.copyOf(memberIds);
    this.transferTimeoutMillis = transferTimeoutMillis;
  }

  @Override
  public void status(StatusRequest r, StreamObserver<StatusResponse> out) {
    NodeRuntime.Status s = runtime.status();
    StatusResponse.Builder b = StatusResponse.newBuilder()
        .setHeader(headers.now())
        .setVersion(VERSION)
        .setDbSize(diskBytes.getAsLong())
        .setLeader(s.lead())
        .setRaftIndex(s.commit())
        .setRaftTerm(s.term())
        .setRaftAppliedIndex(s.applied());
    if (s.failure() != null) {
      b.addErrors(s.failure());
    }
    out.onNext(b.build());
    out.onCompleted();
  }

  @Override
  public void alarm(AlarmRequest r, StreamObserver<AlarmResponse> out) {
    out.onNext(AlarmResponse.newBuilder().setHeader(headers.at(0)).build());
    out.onCompleted();
  }

  /** Thesis §3.10: the leader brings the target up to date, then tells it to campaign. */
  @Override
  public void moveLeader(MoveLeaderRequest r, StreamObserver<MoveLeaderResponse> out) {
    if (runtime.status().role() != StateRole.LEADER) {
      out.onError(Errors.notLeader());
      return;
    }
    if (!memberIds.contains(r.getTargetID())) {
      out.onError(Errors.badLeaderTransferee());
      return;
    }
    CompletableFuture<Void> moved = leaders.whenLeaderIs(r.getTargetID());
    runtime.transferLeader(r.getTargetID());
    if (runtime.status().lead() == r.getTargetID()) {
      moved.complete(null);
    }
    moved.orTimeout(transferTimeoutMillis, TimeUnit.MILLISECONDS).whenComplete((v, t) -> {
      if (t != null) {
        out.onError(Errors.leaderTransferTimedOut());
      } else {
        out.onNext(MoveLeaderResponse.newBuilder().setHeader(headers.at(0)).build());
        out.onCompleted();
      }
    });
  }
}
