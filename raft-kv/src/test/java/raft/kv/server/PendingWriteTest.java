package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.netty.util.HashedWheelTimer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import raft.kv.api.etcdserverpb.PutResponse;
import raft.kv.api.etcdserverpb.ResponseHeader;
import raft.kv.apply.ApplyResult;
import raft.kv.apply.ProposedRequests;
import raft.kv.pb.InternalRequest;

/**
 * A write's waiter in one object does what its separate stages did: the deadline fails it with
 * etcd's timeout, an applied result answers it, and either way the waiter, its deadline and its
 * hand-off are gone and the proposal counts as pending no more (and as failed if it failed).
 */
class PendingWriteTest {
  private final HashedWheelTimer timer = new HashedWheelTimer(10, TimeUnit.MILLISECONDS);
  private final Deadlines deadlines = new Deadlines(timer, Duration.ofMillis(50));
  private final RequestTracker tracker = new RequestTracker();
  private final ProposedRequests proposed = new ProposedRequests(true);
  // Only the waiter's bookkeeping is used: no runtime, ids, quota or log.
  private final RaftGateway gateway =
      new RaftGateway(null, tracker, null, 0, deadlines, null, null, proposed);
  private final ByteString entry = ByteString.copyFromUtf8("entry-7");

  @AfterEach
  void stop() {
    timer.stop();
  }

  private CompletableFuture<ApplyResult.Put> pending() {
    proposed.offer(entry, InternalRequest.getDefaultInstance());
    return new PendingWrite<>(gateway, 7, entry, tracker.await(7), ApplyResult.Put.class)
        .await(deadlines);
  }

  @Test
  void aWriteNeverAppliedTimesOutWithEtcdsMessageAndLeavesNothingBehind() {
    CompletableFuture<ApplyResult.Put> reply = pending();
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> reply.get(5, TimeUnit.SECONDS));
    assertEquals("etcdserver: request timed out",
        ((StatusRuntimeException) e.getCause()).getStatus().getDescription());
    assertEquals(0, tracker.pending());
    assertEquals(1, gateway.proposalsFailed());
    assertEquals(-1, gateway.proposalsPending(), "finished once (propose counts it in)");
    assertEquals(0, proposed.size(), "the hand-off was withdrawn");
  }

  @Test
  void anAppliedWriteIsAnsweredAndItsDeadlineDropped() throws Exception {
    CompletableFuture<ApplyResult.Put> reply = pending();
    ApplyResult.Put put = new ApplyResult.Put(PutResponse.newBuilder()
        .setHeader(ResponseHeader.newBuilder().setRevision(9)).build());
    tracker.applied(7, put);
    assertEquals(put, reply.get(1, TimeUnit.SECONDS));
    assertEquals(0, tracker.pending());
    assertEquals(0, gateway.proposalsFailed());
    assertEquals(0, proposed.size());
    CountDownLatch pastTheDeadline = new CountDownLatch(1);
    timer.newTimeout(t -> pastTheDeadline.countDown(), 150, TimeUnit.MILLISECONDS);
    assertTrue(pastTheDeadline.await(5, TimeUnit.SECONDS));
    assertEquals(0, timer.pendingTimeouts(), "the cancelled deadline was dropped");
    assertEquals(0, gateway.proposalsFailed(), "the deadline did not fire after the answer");
  }

  @Test
  void aWriteWhenTheTimerHasStoppedIsAnsweredStoppedAndLeavesNothingBehind() {
    timer.stop(); // as KvServer.close does while gRPC may still be taking calls
    CompletableFuture<ApplyResult.Put> reply = pending();
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> reply.get(1, TimeUnit.SECONDS));
    StatusRuntimeException s = (StatusRuntimeException) e.getCause();
    assertEquals(Status.Code.UNAVAILABLE, s.getStatus().getCode());
    assertEquals("etcdserver: server stopped (shutting down)", s.getStatus().getDescription());
    assertEquals(0, tracker.pending(), "the waiter was forgotten");
    assertEquals(1, gateway.proposalsFailed());
    assertEquals(-1, gateway.proposalsPending(), "finished once (propose counts it in)");
    assertEquals(0, proposed.size(), "the hand-off was withdrawn");
  }

  @Test
  void aResultOfAnotherKindIsAnInternalErrorNotAHang() {
    CompletableFuture<ApplyResult.Put> reply = pending();
    tracker.applied(7, new ApplyResult.Compaction(null));
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> reply.get(1, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().contains("expected Put"), e.getCause().getMessage());
  }
}
