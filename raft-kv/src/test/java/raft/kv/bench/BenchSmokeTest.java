package raft.kv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.MaintenanceGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.PutResponse;
import raft.kv.api.etcdserverpb.ResponseHeader;
import raft.kv.api.etcdserverpb.StatusRequest;
import raft.kv.api.etcdserverpb.StatusResponse;
import raft.kv.cli.CliRun;

/**
 * {@code raftkv bench} end to end over real gRPC on loopback, against a fake member that is its
 * own leader and fails every 10th put, so the counts and the error table are checked exactly.
 */
class BenchSmokeTest {
  private static Server server;
  private static final AtomicLong puts = new AtomicLong();

  @BeforeAll
  static void start() throws IOException {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new FakeKv()).addService(new FakeMaintenance()).build().start();
  }

  @AfterAll
  static void stop() {
    server.shutdownNow();
  }

  private static String endpoint() {
    return "127.0.0.1:" + server.getPort();
  }

  @Test
  void closedLoopPutCountsEveryRequestOnce() {
    long before = puts.get();
    CliRun r = CliRun.run("bench", "put", "--total", "200", "--clients", "8", "--conns", "2",
        "--target", "leader", "--endpoints", endpoint());
    assertEquals(0, r.exit(), r.err());
    String json = r.out().strip().lines().reduce((a, b) -> b).orElseThrow();
    // 1 in 10 puts fails: 200 measured requests are 180 ok and 20 failed
    assertTrue(json.contains("\"ops\":180,\"errors\":20,"), json);
    assertTrue(r.out().contains("20 x etcdserver: too many requests"), r.out());
    assertEquals(200, puts.get() - before);
  }

  @Test
  void openLoopSendsTheTotalAndFollowersTargetIsRefusedWithoutFollowers() {
    CliRun r = CliRun.run("bench", "put", "--total", "50", "--rate", "5000", "--clients", "4",
        "--endpoints", endpoint());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("\"ops\":45,\"errors\":5,"), r.out());
    CliRun f = CliRun.run("bench", "put", "--total", "5", "--target", "followers",
        "--endpoints", endpoint());
    assertEquals(1, f.exit());
    assertTrue(f.errLine().startsWith("Error: no followers among the endpoints"), f.err());
  }

  private static final class FakeKv extends KVGrpc.KVImplBase {
    @Override
    public void put(PutRequest req, StreamObserver<PutResponse> out) {
      if (puts.incrementAndGet() % 10 == 0) {
        out.onError(Status.RESOURCE_EXHAUSTED.withDescription("etcdserver: too many requests")
            .asRuntimeException());
        return;
      }
      out.onNext(PutResponse.getDefaultInstance());
      out.onCompleted();
    }
  }

  private static final class FakeMaintenance extends MaintenanceGrpc.MaintenanceImplBase {
    @Override
    public void status(StatusRequest req, StreamObserver<StatusResponse> out) {
      out.onNext(StatusResponse.newBuilder().setLeader(7)
          .setHeader(ResponseHeader.newBuilder().setMemberId(7)).build());
      out.onCompleted();
    }
  }
}
