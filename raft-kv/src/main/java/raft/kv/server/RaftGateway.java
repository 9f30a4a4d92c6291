package raft.kv.server;

import com.google.protobuf.ByteString;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import raft.kv.api.etcdserverpb.AlarmRequest;
import raft.kv.api.etcdserverpb.AlarmType;
import raft.kv.apply.ApplyResult;
import raft.kv.apply.ProposedRequests;
import raft.kv.mvcc.KvException;
import raft.kv.pb.InternalRequest;
import raft.runtime.NodeRuntime;

/**
 * How the gRPC services reach consensus: writes become Raft entries and complete when this
 * member has applied them; linearizable reads wait for a ReadIndex barrier (§6.4).
 *
 * <p>Any member accepts any request. On a follower, Raft forwards the proposal (or the
 * ReadIndex request) to the leader, and the client is answered by the member it asked, once
 * that member has applied the entry: so a client that reads from the same member after a write
 * sees its write.
 */
final class RaftGateway {
  private final NodeRuntime runtime;
  private final RequestTracker tracker;
  private final ProposalIds ids;
  private final int maxRequestBytes;
  private final Deadlines deadlines;
  private final SpaceQuota quota;
  private final Consumer<String> log;
  private final ProposedRequests proposed;
  private final AtomicBoolean raisingAlarm = new AtomicBoolean();
  // etcd's proposals_pending and proposals_failed_total: proposed and not yet applied here or
  // failed; failed for want of a leader, a timeout or a stop (not a refusal once applied).
  private final java.util.concurrent.atomic.AtomicLong pending =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.LongAdder failed =
      new java.util.concurrent.atomic.LongAdder();

  RaftGateway(NodeRuntime runtime, RequestTracker tracker, ProposalIds ids, int maxRequestBytes,
      Deadlines deadlines, SpaceQuota quota, Consumer<String> log, ProposedRequests proposed) {
    this.runtime = runtime;
    this.tracker = tracker;
    this.ids = ids;
    this.maxRequestBytes = maxRequestBytes;
    this.deadlines = deadlines;
    this.quota = quota;
    this.log = log;
    this.proposed = proposed;
  }

  long nextId() {
    return ids.next();
  }

  /**
   * Proposes a write and completes with its response once applied here, or exceptionally
   * with the etcd error a client should see (no leader, timed out, too large, no space, or the
   * store's own refusal such as a missing lease). {@code kind} is the result the request's kind
   * produces (ApplyResult.Put for a put...).
   */
  <A extends ApplyResult.Applied<?>> CompletableFuture<A> propose(
      InternalRequest.Builder request, Class<A> kind) {
    long id;
    try {
      id = request.getId() != 0 ? request.getId() : ids.next();
    } catch (UncheckedIOException idsLost) { // the member is ending: a future, not a throw
      return CompletableFuture.failedFuture(Errors.stopped(idsLost.getMessage()));
    }
    InternalRequest r = request.setId(id).build();
    if (r.getSerializedSize() > maxRequestBytes) {
      return CompletableFuture.failedFuture(Errors.tooLarge());
    }
    if (!quota.admits(r)) {
      if (quota.raisesAlarm(r)) {
        raiseNoSpaceAlarm();
      }
      return CompletableFuture.failedFuture(Errors.of(KvException.noSpace()));
    }
    ByteString entry = r.toByteString();
    proposed.offer(entry, r); // before proposing: the apply thread may see the entry at once
    CompletableFuture<ApplyResult> applied = tracker.await(id);
    pending.incrementAndGet();
    CompletableFuture<A> reply =
        new PendingWrite<>(this, id, entry, applied, kind).await(deadlines);
    if (reply.isCompletedExceptionally()) { // stopping (no deadline timer): told so, not proposed
      return reply;
    }
    runtime.propose(entry).whenComplete((ok, t) -> {
      if (t != null) {
        applied.completeExceptionally(t);
      }
    });
    return reply;
  }

  /** A proposal's waiter is done with (applied here, or failed): counted, and forgotten. */
  void finished(long id, ByteString entry, Throwable t) {
    tracker.forget(id);
    proposed.withdraw(entry);
    pending.decrementAndGet();
    if (t != null) {
      failed.increment();
    }
  }

  static <A extends ApplyResult.Applied<?>> void answer(CompletableFuture<A> reply,
      Class<A> kind, ApplyResult result, Throwable t) {
    if (t != null) {
      reply.completeExceptionally(Errors.of(t));
    } else if (result instanceof ApplyResult.Refused refused) {
      reply.completeExceptionally(Errors.of(refused.error()));
    } else if (result instanceof ApplyResult.AuthRefused refused) {
      reply.completeExceptionally(Errors.of(refused.error()));
    } else if (kind.isInstance(result)) {
      reply.complete(kind.cast(result));
    } else { // the entry under this id was another request: a bug, but never a hung client
      reply.completeExceptionally(Errors.internal("raftkv: request applied as "
          + result.getClass().getSimpleName() + ", expected " + kind.getSimpleName()));
    }
  }

  // One proposal at a time: a burst of refused writes must not become a burst of entries.
  private void raiseNoSpaceAlarm() {
    if (quota.noSpaceRaised() || !raisingAlarm.compareAndSet(false, true)) {
      return;
    }
    log.accept("space quota: the store holds about " + quota.storeBytes() / 1024 + " KiB of "
        + quota.quotaBytes() / 1024 + " KiB; raising the NOSPACE alarm (writes that add data"
        + " are refused until it is disarmed: delete, compact, then 'etcdctl alarm disarm')");
    AlarmRequest raise = AlarmRequest.newBuilder().setAction(AlarmRequest.AlarmAction.ACTIVATE)
        .setMemberID(runtime.status().id()).setAlarm(AlarmType.NOSPACE).build();
    propose(InternalRequest.newBuilder().setAlarm(raise), ApplyResult.Alarm.class)
        .whenComplete((r, t) -> raisingAlarm.set(false));
  }

  /** Proposals made here and not yet applied or failed (etcd_server_proposals_pending). */
  long proposalsPending() {
    return pending.get();
  }

  /** Proposals made here that failed before being applied (etcd's proposals_failed_total). */
  long proposalsFailed() {
    return failed.sum();
  }

  /** Completes once a read served from this member's store now is linearizable (§6.4). */
  CompletableFuture<Void> linearizableBarrier() {
    CompletableFuture<Void> reply = new CompletableFuture<>();
    deadlines.within(runtime.readIndex()).whenComplete((index, t) -> {
      if (t != null) {
        reply.completeExceptionally(Errors.of(t));
      } else {
        reply.complete(null);
      }
    });
    return reply;
  }
}
