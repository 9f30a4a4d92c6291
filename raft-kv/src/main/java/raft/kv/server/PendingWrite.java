package raft.kv.server;

import com.google.protobuf.ByteString;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import raft.kv.apply.ApplyResult;

/**
 * One write proposed here and waiting to be applied: its deadline's task, and what happens
 * once it is applied or failed (the waiter forgotten, the deadline cancelled, the pending count
 * and the answer), in one object. Each of those was a future stage and a lambda of its own:
 * about 600 bytes per put on the leader (JFR, put-64), with C1 allocating every one.
 */
final class PendingWrite<A extends ApplyResult.Applied<?>>
    implements TimerTask, BiConsumer<ApplyResult, Throwable> {
  private final RaftGateway gateway;
  private final long id;
  private final ByteString entry;
  private final CompletableFuture<ApplyResult> applied;
  private final Class<A> kind;
  private final CompletableFuture<A> reply = new CompletableFuture<>();
  private volatile Timeout deadline;

  PendingWrite(RaftGateway gateway, long id, ByteString entry,
      CompletableFuture<ApplyResult> applied, Class<A> kind) {
    this.gateway = gateway;
    this.id = id;
    this.entry = entry;
    this.applied = applied;
    this.kind = kind;
  }

  /**
   * Arms the deadline, then waits for the result; call once. Where the deadline timer has
   * stopped (the member is closing: KvServer.close stops it without waiting for gRPC's calls),
   * the write fails as a stopped member's do, and is still finished here so that its waiter,
   * hand-off and pending count are released.
   */
  CompletableFuture<A> await(Deadlines deadlines) {
    try {
      deadline = deadlines.schedule(this);
    } catch (IllegalStateException timerStopped) {
      applied.completeExceptionally(Errors.stopped("shutting down"));
    }
    applied.whenComplete(this);
    return reply;
  }

  /** The deadline passed: the write failed as Deadlines.within fails it. */
  @Override
  public void run(Timeout t) {
    applied.completeExceptionally(new TimeoutException());
  }

  /** Applied here (or failed): everything the waiter's stages did, in one call. */
  @Override
  public void accept(ApplyResult result, Throwable t) {
    gateway.finished(id, entry, t);
    Timeout d = deadline;
    if (d != null) { // null: the timer had stopped
      d.cancel();
    }
    RaftGateway.answer(reply, kind, result, t);
  }
}
