package raft.kv.server;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import raft.kv.pb.AdminGrpc;
import raft.kv.pb.LogEntryId;
import raft.kv.pb.MessagesSent;
import raft.kv.pb.NodeStatusRequest;
import raft.kv.pb.NodeStatusResponse;
import raft.kv.pb.PartitionRequest;
import raft.kv.pb.PartitionResponse;
import raft.runtime.MessageCounts;
import raft.runtime.NodeRuntime;
import raft.transport.PeerTransport;

/**
 * The loopback-only admin service scripts/cluster uses: this member's Raft status, and
 * partitions enforced inside the peer transport.
 */
final class AdminService extends AdminGrpc.AdminImplBase {
  private static final int LOG_TAIL = 20;
  private static final long LOG_TAIL_WAIT_MILLIS = 200;

  private final String name;
  private final NodeRuntime runtime;
  private final PeerTransport transport;
  private final Executor answers;

  /** {@code answers} builds and sends each status, off the Raft loop that read the tail. */
  AdminService(String name, NodeRuntime runtime, PeerTransport transport, Executor answers) {
    this.name = name;
    this.runtime = runtime;
    this.transport = transport;
    this.answers = answers;
  }

  /**
   * The status, plus the log's tail read on the Raft loop: answered when the loop has read it,
   * or without it after {@link #LOG_TAIL_WAIT_MILLIS} (a busy or stopped loop delays nothing).
   */
  @Override
  public void nodeStatus(NodeStatusRequest r, StreamObserver<NodeStatusResponse> out) {
    runtime.logTail(LOG_TAIL).orTimeout(LOG_TAIL_WAIT_MILLIS, TimeUnit.MILLISECONDS)
        .handle((tail, err) -> tail == null ? List.<long[]>of() : tail)
        .thenAcceptAsync(tail -> {
          out.onNext(status(tail));
          out.onCompleted();
        }, answers); // the tail completes on the Raft loop: build and serialize elsewhere
  }

  private NodeStatusResponse status(List<long[]> tail) {
    NodeRuntime.Status s = runtime.status();
    NodeStatusResponse.Builder b = NodeStatusResponse.newBuilder()
        .setId(s.id()).setName(name)
        .setRole(s.role().name().toLowerCase(Locale.ROOT).replace('_', '-'))
        .setTerm(s.term()).setLeader(s.lead())
        .setCommit(s.commit()).setApplied(s.applied()).setLastIndex(s.lastIndex())
        .addAllCutPeers(transport.cutPeers())
        .setFailure(s.failure() == null ? "" : s.failure())
        .setVotedFor(s.vote())
        .setLearner(s.confState().getLearnersList().contains(s.id()));
    for (long[] e : tail) {
      b.addLogTail(LogEntryId.newBuilder().setIndex(e[0]).setTerm(e[1]));
    }
    for (MessageCounts.Sent m : runtime.messagesSent().read()) {
      b.addMessagesSent(MessagesSent.newBuilder().setTo(m.to())
          .setKind(m.kind().label()).setCount(m.count()));
    }
    return b.build();
  }

  @Override
  public void partition(PartitionRequest r, StreamObserver<PartitionResponse> out) {
    transport.cut(new HashSet<>(r.getCutPeersList()));
    out.onNext(PartitionResponse.getDefaultInstance());
    out.onCompleted();
  }

  /** Refuses admin calls that do not come from this machine's loopback interface. */
  static final class LoopbackOnly implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
        ServerCallHandler<Q, R> next) {
      SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
      if (!(remote instanceof InetSocketAddress a) || !a.getAddress().isLoopbackAddress()) {
        call.close(Status.PERMISSION_DENIED.withDescription(
            "raftkv admin calls are only accepted from loopback"), new Metadata());
        return new ServerCall.Listener<>() {};
      }
      return next.startCall(call, headers);
    }
  }
}
