package raft.runtime;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import raft.core.RaftNode;
import raft.core.ReadState;

/**
 * Linearizable reads waiting for Raft (thesis §6.4, ReadIndex): each read gets a unique
 * context; once Raft confirms it with a read index, the read waits on the apply thread until
 * the state machine has applied that far ({@link Applier#enqueueRead}).
 */
final class ReadWaiters {
  private final long id;
  private final RaftNode node;
  private final Applier applier;
  private final AtomicLong readSeq = new AtomicLong();
  private final Map<ByteString, CompletableFuture<Long>> waiting = new ConcurrentHashMap<>();

  ReadWaiters(long id, RaftNode node, Applier applier) {
    this.id = id;
    this.node = node;
    this.applier = applier;
  }

  /**
   * The input that asks Raft for {@code f}'s read index, to run on the loop. A read whose
   * future completes otherwise (a timeout, a stop) stops waiting.
   */
  RaftLoop.Input request(CompletableFuture<Long> f) {
    ByteString ctx = ByteString.copyFrom(ByteBuffer.allocate(8)
        .putLong(readSeq.incrementAndGet()).array());
    f.whenComplete((v, e) -> waiting.remove(ctx));
    return () -> {
      waiting.put(ctx, f);
      if (f.isDone()) { // timed out while queued: its removal above already ran, before the put
        waiting.remove(ctx);
        return;
      }
      if (!node.readIndex(ctx)) {
        f.completeExceptionally(NoLeaderException.dropped("read", id));
      }
    };
  }

  /** On the loop: Raft confirmed a read; it completes once applied reaches its index. */
  void confirmed(ReadState rs) {
    CompletableFuture<Long> f = waiting.remove(rs.requestCtx());
    if (f != null) {
      applier.enqueueRead(rs.index(), f); // §6.4: serve once applied reaches the read index
    }
  }
}
