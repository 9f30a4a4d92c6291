package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.api.etcdserverpb.AlarmRequest;
import raft.kv.api.etcdserverpb.CompactionRequest;
import raft.kv.api.etcdserverpb.Compare;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.LeaseGrpc;
import raft.kv.api.etcdserverpb.LeaseTimeToLiveRequest;
import raft.kv.api.etcdserverpb.MaintenanceGrpc;
import raft.kv.api.etcdserverpb.MoveLeaderRequest;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.RequestOp;
import raft.kv.api.etcdserverpb.StatusRequest;
import raft.kv.api.etcdserverpb.TxnRequest;
import raft.kv.api.etcdserverpb.TxnResponse;
import raft.kv.api.etcdserverpb.WatchCancelRequest;
import raft.kv.api.etcdserverpb.WatchCreateRequest;
import raft.kv.api.etcdserverpb.WatchGrpc;
import raft.kv.api.etcdserverpb.WatchProgressRequest;
import raft.kv.api.etcdserverpb.WatchRequest;
import raft.kv.api.etcdserverpb.WatchResponse;

/** The server's own behaviour over real gRPC: watch stream rules, maintenance, headers. */
class KvServerTest {
  @TempDir static Path dir;
  private static InProcessCluster cluster;
  private static final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    cluster = new InProcessCluster(3, 3, dir);
    cluster.awaitPublished(); // a publish entry must not land inside a test that counts entries
  }

  @AfterAll
  static void stop() {
    channels.forEach(ManagedChannel::shutdownNow);
    cluster.close();
  }

  private static ManagedChannel channel(int member) {
    String ep = cluster.endpoints().split(",")[member - 1];
    ManagedChannel c = ManagedChannelBuilder.forTarget(ep).usePlaintext().build();
    channels.add(c);
    return c;
  }

  private static KVGrpc.KVBlockingStub kv(int member) {
    return KVGrpc.newBlockingStub(channel(member)).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static long put(int member, String key, String value) {
    return kv(member).put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
        .setValue(ByteString.copyFromUtf8(value)).build()).getHeader().getRevision();
  }

  /** A watch stream whose responses land in a queue. */
  private static final class Stream {
    final BlockingQueue<WatchResponse> responses = new LinkedBlockingQueue<>();
    final StreamObserver<WatchRequest> requests;

    Stream(int member) {
      requests = WatchGrpc.newStub(channel(member)).watch(new StreamObserver<>() {
        @Override
        public void onNext(WatchResponse r) {
          responses.add(r);
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
      });
    }

    WatchResponse next() throws Exception {
      WatchResponse r = responses.poll(10, TimeUnit.SECONDS);
      assertTrue(r != null, "no watch response within 10 s");
      return r;
    }

    void create(WatchCreateRequest.Builder c) {
      requests.onNext(WatchRequest.newBuilder().setCreateRequest(c).build());
    }
  }

  @Test
  @DisplayName("a watcher gets 'created' first, then the events of a write on another member")
  void createdComesFirstThenEvents() throws Exception {
    Stream s = new Stream(2);
    s.create(WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8("ws/a")));
    WatchResponse created = s.next();
    assertTrue(created.getCreated() && created.getEventsCount() == 0, created.toString());
    long rev = put(1, "ws/a", "x");
    WatchResponse event = s.next();
    assertEquals(created.getWatchId(), event.getWatchId());
    assertEquals(rev, event.getEvents(0).getKv().getModRevision());
    assertEquals(2, event.getHeader().getMemberId(), "the header names the member answering");
    s.requests.onNext(WatchRequest.newBuilder().setCancelRequest(
        WatchCancelRequest.newBuilder().setWatchId(created.getWatchId())).build());
    assertTrue(s.next().getCanceled());
    s.requests.onCompleted();
  }

  @Test
  @DisplayName("a watch from a compacted revision is canceled with compact_revision set")
  void compactedStartRevision() throws Exception {
    put(1, "wc", "1");
    long rev = put(1, "wc", "2");
    kv(1).compact(CompactionRequest.newBuilder().setRevision(rev).build());
    // A linearizable read on member 3 waits until it has applied the compaction too.
    kv(3).range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("wc")).build());
    Stream s = new Stream(3);
    s.create(WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8("wc"))
        .setStartRevision(rev - 1));
    WatchResponse created = s.next();
    assertTrue(created.getCreated());
    WatchResponse canceled = s.next();
    assertTrue(canceled.getCanceled(), canceled.toString());
    assertEquals(rev, canceled.getCompactRevision());
    s.requests.onCompleted();
  }

  @Test
  @DisplayName("a progress request is answered with the current revision")
  void progressRequest() throws Exception {
    long rev = put(1, "wp", "1");
    Stream s = new Stream(1);
    s.create(WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8("wp")));
    s.next();
    s.requests.onNext(WatchRequest.newBuilder()
        .setProgressRequest(WatchProgressRequest.getDefaultInstance()).build());
    WatchResponse progress = s.next();
    assertEquals(0, progress.getEventsCount());
    assertTrue(progress.getHeader().getRevision() >= rev, progress.toString());
    s.requests.onCompleted();
  }

  @Test
  @DisplayName("a put as large as --max-request-bytes allows reaches every member")
  void largestPutReplicates() {
    // The request within 100 bytes of the limit; its entry travels in one append frame.
    ByteString value = ByteString.copyFrom(new byte[ServerConfig.DEFAULT_MAX_REQUEST_BYTES - 100]);
    kv(2).put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("largest"))
        .setValue(value).build());
    for (int member = 1; member <= 3; member++) {
      var got = kv(member).range(RangeRequest.newBuilder()
          .setKey(ByteString.copyFromUtf8("largest")).build());
      assertEquals(value, got.getKvs(0).getValue(), "member " + member);
    }
  }

  @Test
  @DisplayName("a serializable read on a follower is served locally; a linearizable one sees the write")
  void readsOnFollowers() {
    long rev = put(1, "r", "v");
    var resp = kv(2).range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("r")).build());
    assertEquals("v", resp.getKvs(0).getValue().toStringUtf8());
    assertTrue(resp.getHeader().getRevision() >= rev);
    var local = kv(3).range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("r"))
        .setSerializable(true).build());
    assertTrue(local.getHeader().getMemberId() == 3);
  }

  @Test
  @DisplayName("§6.4: a read-only txn is served after a ReadIndex barrier, without a log entry;"
      + " a txn that writes goes through the log")
  void readOnlyTxnNeedsNoLogEntry() {
    put(1, "ro", "v1");
    // A linearizable read on member 2 waits until it has the put, so its index is settled.
    kv(2).range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("ro")).build());
    var status = MaintenanceGrpc.newBlockingStub(channel(2)).withDeadlineAfter(10,
        TimeUnit.SECONDS);
    ByteString key = ByteString.copyFromUtf8("ro");
    TxnRequest read = TxnRequest.newBuilder()
        .addCompare(Compare.newBuilder().setKey(key).setTarget(Compare.CompareTarget.VALUE)
            .setResult(Compare.CompareResult.EQUAL).setValue(ByteString.copyFromUtf8("v1")))
        .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder()
            .setKey(key))).build();
    long before = status.status(StatusRequest.getDefaultInstance()).getRaftIndex();
    TxnResponse r = kv(2).txn(read);
    assertTrue(r.getSucceeded(), r.toString());
    assertEquals("v1", r.getResponses(0).getResponseRange().getKvs(0).getValue()
        .toStringUtf8(), "the follower's read-only txn sees the write acknowledged before it");
    assertEquals(before, status.status(StatusRequest.getDefaultInstance()).getRaftIndex(),
        "no entry was appended for the read-only txn");

    TxnRequest write = read.toBuilder().addSuccess(RequestOp.newBuilder().setRequestPut(
        PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("v2")))).build();
    assertTrue(kv(2).txn(write).getSucceeded());
    assertTrue(status.status(StatusRequest.getDefaultInstance()).getRaftIndex() > before,
        "the txn with a put went through the log");
  }

  @Test
  @DisplayName("MoveLeader on a follower answers etcd's 'not leader'; Alarm lists nothing")
  void maintenance() throws Exception {
    long leader = cluster.awaitLeader();
    int follower = (int) (leader % 3 + 1);
    var m = MaintenanceGrpc.newBlockingStub(channel(follower))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> m.moveLeader(MoveLeaderRequest.newBuilder().setTargetID(leader).build()));
    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    assertEquals("etcdserver: not leader", e.getStatus().getDescription());
    assertEquals(0, m.alarm(AlarmRequest.getDefaultInstance()).getAlarmsCount());
    assertEquals(leader, m.status(StatusRequest.getDefaultInstance()).getLeader());
  }

  @Test
  @DisplayName("time-to-live of an unknown lease is -1, as in etcd")
  void unknownLeaseTimeToLive() {
    var ttl = LeaseGrpc.newBlockingStub(channel(1)).withDeadlineAfter(10, TimeUnit.SECONDS)
        .leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(42).build());
    assertEquals(-1, ttl.getTTL());
  }
}
