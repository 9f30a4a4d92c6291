package raft.kv.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The wall-clock half of leases. Which leases exist is replicated state (the Lessor, changed
 * only by applied entries); when a lease runs out is decided here, by a clock, and only the
 * leader acts on it, by proposing a revoke entry. So applying never reads a clock, and every
 * member deletes a lease's keys at the same revision.
 *
 * <p>Every member keeps a countdown per lease, restarted whenever it applies a grant or a
 * keep-alive, so a member that becomes leader already knows roughly when each lease runs out.
 * A new leader still gives every lease a full TTL from the moment it takes over (as etcd's
 * {@code Promote} does): it cannot know whether keep-alives reached the old leader just before
 * it failed, and expiring a lease a client was keeping alive is worse than keeping one a few
 * seconds too long.
 */
final class LeaseTimer {
  // nextRevokeNanos: the deadline, then pushed back by retryNanos after each revoke proposal.
  private record Countdown(long ttlSeconds, long deadlineNanos, long nextRevokeNanos) {}

  private final Map<Long, Countdown> leases = new ConcurrentHashMap<>();
  private final LongSupplier clock;
  private final long retryNanos;

  /** @param retryNanos how long to wait before proposing the revoke of one lease again */
  LeaseTimer(LongSupplier nanoClock, long retryNanos) {
    this.clock = nanoClock;
    this.retryNanos = retryNanos;
  }

  /** A grant or keep-alive was applied: the lease lives ttl seconds from now. */
  void renewed(long id, long ttlSeconds) {
    leases.put(id, fresh(ttlSeconds));
  }

  void revoked(long id) {
    leases.remove(id);
  }

  /**
   * This member just became leader of a cluster holding these leases (id to granted TTL):
   * every one gets a full TTL from now, including leases restored from a snapshot that this
   * member never saw granted.
   */
  void promoted(Map<Long, Long> ttls) {
    leases.keySet().retainAll(ttls.keySet());
    ttls.forEach((id, ttl) -> leases.put(id, fresh(ttl)));
  }

  private Countdown fresh(long ttlSeconds) {
    long deadline = clock.getAsLong() + ttlSeconds * 1_000_000_000L;
    return new Countdown(ttlSeconds, deadline, deadline);
  }

  /** Seconds left, rounded up; -1 if this member knows no such lease. */
  long remainingSeconds(long id) {
    Countdown c = leases.get(id);
    if (c == null) {
      return -1;
    }
    long left = c.deadlineNanos() - clock.getAsLong();
    return left <= 0 ? 0 : (left + 999_999_999L) / 1_000_000_000L;
  }

  /** On the leader: proposes the revoke of every lease that ran out (again after retryNanos). */
  void expire(LongConsumer proposeRevoke) {
    long now = clock.getAsLong();
    for (Map.Entry<Long, Countdown> e : leases.entrySet()) {
      Countdown c = e.getValue();
      if (now - c.nextRevokeNanos() >= 0) {
        e.setValue(new Countdown(c.ttlSeconds(), c.deadlineNanos(), now + retryNanos));
        proposeRevoke.accept(e.getKey());
      }
    }
  }
}
