package raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.LeaseGrantRequest;
import raft.kv.api.etcdserverpb.LeaseGrpc;
import raft.kv.api.etcdserverpb.LeaseKeepAliveRequest;
import raft.kv.api.etcdserverpb.LeaseKeepAliveResponse;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.RangeResponse;
import raft.kv.api.etcdserverpb.RequestOp;
import raft.kv.api.etcdserverpb.TxnRequest;

/**
 * Issue 12: what clients ask a member to send must not take it down. Eight concurrent ranges
 * of 98 MB each, on members with a 256 MB heap, once failed with {@code CANCELLED: Server
 * sendMessage() failed} and no log line (etcd served them all): now they wait their turn for
 * the member's response budget and are all served. A keep-alive client that never reads its
 * answers is held back by flow control rather than buffered for.
 */
class ResponseMemoryTest {
  private static final int VALUES = 98;
  private static final int VALUE_BYTES = 1_000_000;
  private static final int MAX_INBOUND = 256 * 1024 * 1024;
  private static final int KEEP_ALIVES = 150_000;
  private static LocalCluster cluster;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    Preconditions.requireEtcdctl();
    cluster = new LocalCluster(3, 30, "response-memory").start();
    // etcd's clients accept responses up to 2 GiB; gRPC Java's default is 4 MiB.
    channel = ManagedChannelBuilder.forTarget(cluster.endpoint(1)).usePlaintext()
        .maxInboundMessageSize(MAX_INBOUND).build();
    byte[] value = new byte[VALUE_BYTES];
    new Random(12).nextBytes(value);
    for (int i = 0; i < VALUES; i++) {
      kv(30).put(PutRequest.newBuilder().setKey(key(i)).setValue(ByteString.copyFrom(value))
          .build());
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static KVGrpc.KVBlockingStub kv(int seconds) {
    return KVGrpc.newBlockingStub(channel).withDeadlineAfter(seconds, TimeUnit.SECONDS);
  }

  private static ByteString key(int i) {
    return ByteString.copyFromUtf8(String.format("big/%03d", i));
  }

  private static RangeRequest everything() {
    return RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("big/"))
        .setRangeEnd(ByteString.copyFromUtf8("big0")).build();
  }

  @Test
  @DisplayName("8 concurrent ranges of 98 MB each are all served, and the member serves on")
  void eightConcurrentLargeRangesAreAllServed() throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      List<Future<RangeResponse>> ranges = new ArrayList<>();
      for (int c = 0; c < 8; c++) {
        ranges.add(clients.submit(() -> kv(50).range(everything())));
      }
      long started = System.nanoTime();
      for (Future<RangeResponse> f : ranges) {
        RangeResponse r = f.get(55, TimeUnit.SECONDS);
        assertEquals(VALUES, r.getKvsCount());
        assertTrue(r.getSerializedSize() > VALUES * VALUE_BYTES, "~98 MB each");
      }
      System.out.println("8 concurrent 98 MB ranges served in "
          + (System.nanoTime() - started) / 1_000_000 + " ms");
    } finally {
      clients.shutdownNow();
    }
    servesSmallRequests();
  }

  @Test
  @DisplayName("a response larger than the whole budget is refused in gRPC's words, and logged")
  void aResponseLargerThanTheBudgetIsRefusedAndLogged() throws Exception {
    // Two ranges of everything in one read-only txn: 196 MB, over half of 256 MB.
    RequestOp range = RequestOp.newBuilder().setRequestRange(everything()).build();
    TxnRequest txn = TxnRequest.newBuilder().addSuccess(range).addSuccess(range).build();
    StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(
        StatusRuntimeException.class, () -> kv(30).txn(txn));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e::toString);
    assertTrue(e.getStatus().getDescription().startsWith(
        "grpc: trying to send message larger than max ("), e::toString);
    assertTrue(cluster.log(1).contains("-byte etcdserverpb.KV/Txn response: it is larger than"
        + " the whole budget"), "the refusal is in n1's log");
    servesSmallRequests();
  }

  @Test
  @DisplayName("a keep-alive client that reads nothing is held back, and the member serves on")
  void aKeepAliveClientThatNeverReadsIsHeldBack() throws Exception {
    ManagedChannel own = ManagedChannelBuilder.forTarget(cluster.endpoint(1)).usePlaintext()
        .build();
    try {
      long lease = LeaseGrpc.newBlockingStub(own).withDeadlineAfter(10, TimeUnit.SECONDS)
          .leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build()).getID();
      long rssBefore = rssKib(1);
      StalledKeepAlives stalled = new StalledKeepAlives();
      LeaseGrpc.newStub(own).leaseKeepAlive(stalled);
      long sent = stalled.sendUntilHeldBack(lease, KEEP_ALIVES, 40_000);
      System.out.println("keep-alives sent by a client that reads no answer: " + sent
          + "; n1's resident memory " + rssBefore / 1024 + " MiB before, " + rssKib(1) / 1024
          + " MiB after");
      // Each unread answer once pinned a 4 KiB direct buffer in the member: 150,000 of them
      // are 600 MB, more than a 256 MB member has. Now the member stops reading keep-alives
      // while their answers cannot be sent, so the client's own sends stop.
      assertTrue(sent < KEEP_ALIVES, "the member kept reading keep-alives from a client that"
          + " reads none of the answers: " + sent + " sent");
      // A 98 MB range needs the direct memory that unread answers would otherwise hold.
      assertEquals(VALUES, kv(50).range(everything()).getKvsCount());
      servesSmallRequests();
      stalled.cancel();
    } finally {
      own.shutdownNow();
    }
  }

  /** Node k's resident set (KiB), for the record: the heap and direct memory it touched. */
  private static long rssKib(int node) throws Exception {
    String pid = java.nio.file.Files.readString(cluster.data.resolve("n" + node + ".pid")).trim();
    for (String line : java.nio.file.Files.readAllLines(
        java.nio.file.Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  private static void servesSmallRequests() {
    kv(10).put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("after"))
        .setValue(ByteString.copyFromUtf8("still serving")).build());
    assertEquals("still serving", kv(10).range(RangeRequest.newBuilder()
        .setKey(ByteString.copyFromUtf8("after")).build()).getKvs(0).getValue().toStringUtf8());
    assertEquals(3, cluster.statuses().size(), "every member is up");
  }

  /** A keep-alive stream whose client asks for no answer at all and sends while it may. */
  private static final class StalledKeepAlives
      implements ClientResponseObserver<LeaseKeepAliveRequest, LeaseKeepAliveResponse> {
    private volatile ClientCallStreamObserver<LeaseKeepAliveRequest> requests;

    @Override
    public void beforeStart(ClientCallStreamObserver<LeaseKeepAliveRequest> r) {
      r.disableAutoRequestWithInitial(0); // never reads an answer
      requests = r;
    }

    /**
     * Sends up to {@code max} keep-alives, each when the stream is ready; stops early once the
     * stream has not been ready for 3 s (the member stopped reading) or after
     * {@code timeoutMillis}. Returns how many were sent.
     */
    long sendUntilHeldBack(long lease, int max, long timeoutMillis) throws InterruptedException {
      LeaseKeepAliveRequest ka = LeaseKeepAliveRequest.newBuilder().setID(lease).build();
      long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
      long notReadySince = 0;
      int sent = 0;
      while (sent < max && System.nanoTime() < deadline) {
        if (requests.isReady()) {
          requests.onNext(ka);
          sent++;
          notReadySince = 0;
        } else if (notReadySince == 0) {
          notReadySince = System.nanoTime();
        } else if (System.nanoTime() - notReadySince > 3_000_000_000L) {
          break;
        } else {
          Thread.sleep(5);
        }
      }
      return sent;
    }

    void cancel() {
      requests.cancel("test done", null);
    }

    @Override
    public void onNext(LeaseKeepAliveResponse r) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
