package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.pb.AdminGrpc;
import raft.kv.pb.NodeStatusRequest;

/** Over real gRPC, with services that answer UNIMPLEMENTED when a call reaches them. */
class StoppedGateTest {
  @Test
  @DisplayName("once stopped, a member answers nothing but its status, with etcd's words")
  void stoppedAnswersOnlyStatus() throws Exception {
    AtomicReference<String> failure = new AtomicReference<>();
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .intercept(new StoppedGate(() -> Optional.ofNullable(failure.get())))
        .addService(new KVGrpc.KVImplBase() {})
        .addService(new AdminGrpc.AdminImplBase() {})
        .build().start();
    ManagedChannel c = ManagedChannelBuilder.forAddress("127.0.0.1", server.getPort())
        .usePlaintext().build();
    try {
      assertEquals(Status.Code.UNIMPLEMENTED, range(c).getStatus().getCode(), "running: passes");
      failure.set("disk full: no space left on device for /d");
      StatusRuntimeException e = range(c);
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
      assertEquals("etcdserver: server stopped (disk full: no space left on device for /d)",
          e.getStatus().getDescription());
      assertEquals(Status.Code.UNIMPLEMENTED, assertThrows(StatusRuntimeException.class,
          () -> AdminGrpc.newBlockingStub(c).nodeStatus(NodeStatusRequest.getDefaultInstance()))
          .getStatus().getCode(), "its status still answers");
    } finally {
      c.shutdownNow();
      server.shutdownNow();
    }
  }

  private static StatusRuntimeException range(ManagedChannel c) {
    return assertThrows(StatusRuntimeException.class,
        () -> KVGrpc.newBlockingStub(c).range(RangeRequest.getDefaultInstance()));
  }
}
