package raft.kv.server;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The clients waiting for their proposals to be applied (etcd's {@code wait} package).
 *
 * <p>Each proposal carries an id unique to this member, so when the apply thread applies an
 * entry it can hand the result to the client that proposed it. Entries proposed by other
 * members (or by this member before a restart) find no waiter and are simply applied. Ids put
 * the member id in the top 16 bits and a counter seeded from the clock below it, so ids from a
 * restarted member do not collide with ids still in the log from its previous run.
 */
final class RequestTracker {
  private final long memberBits;
  private final AtomicLong counter;
  private final Map<Long, CompletableFuture<Object>> waiting = new ConcurrentHashMap<>();

  RequestTracker(long memberId, long seedMillis) {
    this.memberBits = (memberId & 0xFFFF) << 48;
    this.counter = new AtomicLong((seedMillis & 0xFF_FFFF_FFFFL) << 8);
  }

  long nextId() {
    return memberBits | (counter.incrementAndGet() & 0xFFFF_FFFF_FFFFL);
  }

  CompletableFuture<Object> register(long id) {
    CompletableFuture<Object> f = new CompletableFuture<>();
    waiting.put(id, f);
    f.whenComplete((r, t) -> waiting.remove(id));
    return f;
  }

  /** Called on the apply thread: the entry with this id was applied with this result. */
  void applied(long id, Object result) {
    CompletableFuture<Object> f = waiting.remove(id);
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
