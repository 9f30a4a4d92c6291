package raft.kv.lease;

/**
 * Follows the leases as entries are applied, so the server's wall-clock countdown (which lives
 * outside the deterministic state machine) can start, restart and stop its timers.
 *
 * <p>Threading: called on the apply thread after the entry is applied; must not block and must
 * not call back into the state machine's write path.
 */
public interface LeaseListener {
  /** A lease was granted with this TTL (seconds, after the minimum), or came with a snapshot. */
  void granted(long id, long ttl);

  /** A keep-alive for the lease was applied: restart its countdown from ttl. */
  void renewed(long id, long ttl);

  /** The lease is gone (revoked, or dropped by a snapshot restore). */
  void revoked(long id);

  LeaseListener NONE = new LeaseListener() {
    @Override
    public void granted(long id, long ttl) {}

    @Override
    public void renewed(long id, long ttl) {}

    @Override
    public void revoked(long id) {}
  };
}
