package raft.kv.server;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import raft.kv.apply.ApplyResult;

/**
 * The clients waiting for their proposals to be applied (etcd's {@code wait} package).
 *
 * <p>Each proposal carries an id unique to this member ({@link ProposalIds}), so when the apply
 * thread applies an entry it can hand the result to the client that proposed it. Entries
 * proposed by other members (or by this member before a restart) find no waiter and are simply
 * applied: which is right only because a restarted member never draws an id again.
 */
final class RequestTracker {
  private final Map<Long, CompletableFuture<ApplyResult>> waiting = new ConcurrentHashMap<>();

  CompletableFuture<ApplyResult> register(long id) {
    CompletableFuture<ApplyResult> f = new CompletableFuture<>();
    waiting.put(id, f);
    f.whenComplete((r, t) -> waiting.remove(id));
    return f;
  }

  /**
   * As register, but the caller forgets {@code id} itself once the future completes (one
   * completion stage for everything a write waits for: {@link PendingWrite}).
   */
  CompletableFuture<ApplyResult> await(long id) {
    CompletableFuture<ApplyResult> f = new CompletableFuture<>();
    waiting.put(id, f);
    return f;
  }

  void forget(long id) {
    waiting.remove(id);
  }

  /** Called on the apply thread: the entry with this id was applied with this result. */
  void applied(long id, ApplyResult result) {
    CompletableFuture<ApplyResult> f = waiting.remove(id);
    if (f != null) {
      f.complete(result);
    }
  }

  void failAll(Throwable t) {
    waiting.values().forEach(f -> f.completeExceptionally(t));
  }

  int pending() {
    return waiting.size();
  }
}
