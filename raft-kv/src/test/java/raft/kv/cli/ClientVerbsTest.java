package raft.kv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.LeaseGrantRequest;
import raft.kv.api.etcdserverpb.LeaseGrantResponse;
import raft.kv.api.etcdserverpb.LeaseGrpc;
import raft.kv.api.etcdserverpb.MaintenanceGrpc;
import raft.kv.api.etcdserverpb.MoveLeaderRequest;
import raft.kv.api.etcdserverpb.MoveLeaderResponse;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.PutResponse;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.RangeResponse;
import raft.kv.api.etcdserverpb.ResponseHeader;
import raft.kv.api.etcdserverpb.ResponseOp;
import raft.kv.api.etcdserverpb.StatusRequest;
import raft.kv.api.etcdserverpb.StatusResponse;
import raft.kv.api.etcdserverpb.TxnRequest;
import raft.kv.api.etcdserverpb.TxnResponse;
import raft.kv.api.etcdserverpb.WatchGrpc;
import raft.kv.api.etcdserverpb.WatchRequest;
import raft.kv.api.etcdserverpb.WatchResponse;
import raft.kv.api.mvccpb.Event;

/**
 * The client verbs end to end over real gRPC on loopback, against a scripted fake server (the
 * real one is tested by the integrator). The first endpoint is always a dead port, so every
 * test also checks that the client moves on to the next endpoint.
 */
class ClientVerbsTest {
  private static Server server;
  private static String endpoints;
  private static final AtomicLong movedTo = new AtomicLong();

  @BeforeAll
  static void startFake() throws IOException {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new FakeKv()).addService(new FakeWatch()).addService(new FakeLease())
        .addService(new FakeMaintenance()).build().start();
    endpoints = "127.0.0.1:" + deadPort() + ",http://127.0.0.1:" + server.getPort();
  }

  @AfterAll
  static void stopFake() throws InterruptedException {
    server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }

  private static int deadPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void getFromTheFirstEndpointThatAnswers() {
    CliRun r = CliRun.run("--endpoints", endpoints, "get", "foo");
    assertEquals(0, r.exit(), r.err());
    assertEquals("foo\nbar\n", r.out());
  }

  @Test
  void globalOptionsMayFollowTheVerb() {
    CliRun r = CliRun.run("get", "foo", "--print-value-only", "--endpoints", endpoints);
    assertEquals("bar\n", r.out(), r.err());
  }

  @Test
  void serverErrorsPrintLikeEtcdctl() {
    CliRun r = CliRun.run("--endpoints", endpoints, "put", "fail", "v");
    assertEquals(1, r.exit());
    assertEquals("Error: etcdserver: no leader", r.errLine());
    CliRun ok = CliRun.run("--endpoints", endpoints, "put", "k", "v");
    assertEquals("OK\n", ok.out(), ok.err());
  }

  @Test
  void noEndpointAnswers() throws IOException {
    CliRun r = CliRun.run("--endpoints", "127.0.0.1:" + deadPort(), "get", "k");
    assertEquals(1, r.exit());
    assertTrue(r.errLine().startsWith("Error: context deadline exceeded"), r.err());
  }

  @Test
  void watchStopsAfterMaxEvents() {
    CliRun r = CliRun.run("--endpoints", endpoints, "watch", "a", "--prefix",
        "--max-events", "2");
    assertEquals(0, r.exit(), r.err());
    assertEquals("PUT\na\n1\nPUT\nab\n2\n", r.out());
  }

  @Test
  void txnFromStdin() {
    CliRun r = CliRun.withStdin("value(\"k\") = \"v\"\n\nput k w\n\n\n",
        "--endpoints", endpoints, "txn");
    assertEquals(0, r.exit(), r.err());
    assertEquals("SUCCESS\n\nOK\n", r.out());
  }

  @Test
  void leaseGrant() {
    CliRun r = CliRun.run("--endpoints", endpoints, "lease", "grant", "10");
    assertEquals("lease 694d71ddacfda227 granted with TTL(10s)\n", r.out(), r.err());
  }

  @Test
  void moveLeaderAsksTheLeaderEndpoint() {
    CliRun r = CliRun.run("--endpoints", endpoints, "move-leader", "2");
    assertEquals(0, r.exit(), r.err());
    assertEquals("Leadership transferred from 1 to 2\n", r.out());
    assertEquals(2, movedTo.get());
  }

  @Test
  void endpointStatusReportsTheDeadOne() {
    CliRun r = CliRun.run("--endpoints", endpoints, "endpoint", "status");
    assertEquals(1, r.exit());
    assertTrue(r.errLine().startsWith("Failed to get the status of endpoint 127.0.0.1:"), r.err());
    assertTrue(r.out().endsWith(", 1, 3.4.0-raftkv, 0 B, true, false, 2, 5, 5, \n"), r.out());
  }

  private static ResponseHeader header() {
    return ResponseHeader.newBuilder().setMemberId(1).setRaftTerm(2).build();
  }

  static final class FakeKv extends KVGrpc.KVImplBase {
    @Override
    public void put(PutRequest req, StreamObserver<PutResponse> out) {
      if (req.getKey().toStringUtf8().equals("fail")) {
        out.onError(Status.UNAVAILABLE.withDescription("etcdserver: no leader").asException());
        return;
      }
      out.onNext(PutResponse.newBuilder().setHeader(header()).build());
      out.onCompleted();
    }

    @Override
    public void range(RangeRequest req, StreamObserver<RangeResponse> out) {
      out.onNext(RangeResponse.newBuilder().setHeader(header())
          .addKvs(PrinterTest.kv(req.getKey().toStringUtf8(), "bar")).setCount(1).build());
      out.onCompleted();
    }

    @Override
    public void txn(TxnRequest req, StreamObserver<TxnResponse> out) {
      boolean ok = req.getCompare(0).getValue().toStringUtf8().equals("v");
      out.onNext(TxnResponse.newBuilder().setSucceeded(ok).addResponses(ResponseOp.newBuilder()
          .setResponsePut(PutResponse.getDefaultInstance())).build());
      out.onCompleted();
    }
  }

  static final class FakeWatch extends WatchGrpc.WatchImplBase {
    @Override
    public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> out) {
      return new StreamObserver<>() {
        @Override
        public void onNext(WatchRequest r) {
          out.onNext(WatchResponse.newBuilder().setCreated(true).build());
          out.onNext(WatchResponse.newBuilder()
              .addEvents(Event.newBuilder().setKv(PrinterTest.kv("a", "1")))
              .addEvents(Event.newBuilder().setKv(PrinterTest.kv("ab", "2")))
              .addEvents(Event.newBuilder().setKv(PrinterTest.kv("abc", "3"))).build());
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          out.onCompleted();
        }
      };
    }
  }

  static final class FakeLease extends LeaseGrpc.LeaseImplBase {
    @Override
    public void leaseGrant(LeaseGrantRequest req, StreamObserver<LeaseGrantResponse> out) {
      out.onNext(LeaseGrantResponse.newBuilder().setID(0x694d71ddacfda227L)
          .setTTL(req.getTTL()).build());
      out.onCompleted();
    }
  }

  static final class FakeMaintenance extends MaintenanceGrpc.MaintenanceImplBase {
    @Override
    public void status(StatusRequest req, StreamObserver<StatusResponse> out) {
      out.onNext(StatusResponse.newBuilder().setHeader(header()).setLeader(1)
          .setVersion("3.4.0-raftkv").setRaftTerm(2).setRaftIndex(5).setRaftAppliedIndex(5)
          .build());
      out.onCompleted();
    }

    @Override
    public void moveLeader(MoveLeaderRequest req, StreamObserver<MoveLeaderResponse> out) {
      movedTo.set(req.getTargetID());
      out.onNext(MoveLeaderResponse.newBuilder().setHeader(header()).build());
      out.onCompleted();
    }
  }
}
