package raft.kv.lease;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import raft.kv.api.etcdserverpb.LeaseGrantRequest;
import raft.kv.api.etcdserverpb.LeaseGrantResponse;
import raft.kv.api.etcdserverpb.LeaseKeepAliveRequest;
import raft.kv.api.etcdserverpb.LeaseKeepAliveResponse;
import raft.kv.mvcc.KeyRange;
import raft.kv.mvcc.KvException;
import raft.kv.mvcc.LeaseIndex;
import raft.kv.mvcc.MvccStore;
import raft.kv.pb.KvState;
import raft.kv.pb.LeaseState;

/**
 * The deterministic half of etcd's lessor: which leases exist, their granted TTLs, and the keys
 * attached to each. Expiry is not decided here (applying never reads a clock): the leader's
 * countdown proposes a revoke when a lease runs out, and {@link LeaseListener} tells that
 * countdown what was applied.
 *
 * <p>Threading: mutations come from the apply thread (grant, revoke, keep-alive, and
 * attach/detach from the store under its write lock); {@link #lookup} and {@link #leaseIds}
 * may be called from any thread. All state is guarded by this object's monitor, which is never
 * held while calling into the store.
 */
public final class Lessor implements LeaseIndex {
  /** etcd's MaxLeaseTTL (seconds). */
  public static final long MAX_TTL = 9_000_000_000L;

  private final long minTtlSeconds;
  // Guarded by this.
  private final TreeMap<Long, TreeSet<ByteString>> keysByLease = new TreeMap<>();
  private final TreeMap<Long, Long> ttlByLease = new TreeMap<>();

  /**
   * @param minTtlSeconds TTLs below this are raised to it (etcd: ceil(1.5 x election timeout)),
   *     so a lease cannot expire before a new leader could have renewed it
   */
  public Lessor(long minTtlSeconds) {
    this.minTtlSeconds = minTtlSeconds;
  }

  public Lessor() {
    this(2);
  }

  /**
   * Grants a lease. An ID of 0 lets the state machine choose: the entry's index (or the next
   * free id above it), so every member chooses the same. The response has no header.
   */
  public synchronized LeaseGrantResponse grant(LeaseGrantRequest req, long index) {
    if (req.getTTL() > MAX_TTL) {
      throw KvException.leaseTtlTooLarge();
    }
    long id = req.getID();
    if (id == 0) {
      id = Math.max(index, 1);
      while (ttlByLease.containsKey(id)) {
        id++;
      }
    } else if (ttlByLease.containsKey(id)) {
      throw KvException.leaseExists();
    }
    long ttl = Math.max(req.getTTL(), minTtlSeconds);
    ttlByLease.put(id, ttl);
    keysByLease.put(id, new TreeSet<>(KeyRange.ORDER));
    return LeaseGrantResponse.newBuilder().setID(id).setTTL(ttl).build();
  }

  /**
   * Revokes a lease: its keys are deleted at one new store revision (none if it had no keys).
   *
   * @return the store revision afterwards
   */
  public long revoke(long id, MvccStore store) {
    List<ByteString> keys;
    synchronized (this) {
      TreeSet<ByteString> attached = keysByLease.get(id);
      if (attached == null) {
        throw KvException.leaseNotFound();
      }
      keys = new ArrayList<>(attached);
    }
    long revision = store.deleteKeys(keys);
    synchronized (this) {
      keysByLease.remove(id);
      ttlByLease.remove(id);
    }
    return revision;
  }

  /** Applying a keep-alive only checks the lease exists; the TTL restarts in the countdown. */
  public synchronized LeaseKeepAliveResponse keepAlive(LeaseKeepAliveRequest req) {
    Long ttl = ttlByLease.get(req.getID());
    if (ttl == null) {
      throw KvException.leaseNotFound();
    }
    return LeaseKeepAliveResponse.newBuilder().setID(req.getID()).setTTL(ttl).build();
  }

  public synchronized Optional<LeaseInfo> lookup(long id) {
    Long ttl = ttlByLease.get(id);
    if (ttl == null) {
      return Optional.empty();
    }
    return Optional.of(new LeaseInfo(id, ttl, new ArrayList<>(keysByLease.get(id))));
  }

  /** Ids of all leases, ascending. */
  public synchronized List<Long> leaseIds() {
    return new ArrayList<>(ttlByLease.keySet());
  }

  @Override
  public synchronized boolean exists(long leaseId) {
    return ttlByLease.containsKey(leaseId);
  }

  @Override
  public synchronized void attach(long leaseId, ByteString key) {
    TreeSet<ByteString> keys = keysByLease.get(leaseId);
    if (keys != null) {
      keys.add(key);
    }
  }

  @Override
  public synchronized void detach(long leaseId, ByteString key) {
    TreeSet<ByteString> keys = keysByLease.get(leaseId);
    if (keys != null) {
      keys.remove(key);
    }
  }

  /** Adds the leases (id and TTL; keys follow from the store) to a snapshot. */
  public synchronized void writeTo(CodedOutputStream state) throws IOException {
    for (Map.Entry<Long, Long> l : ttlByLease.entrySet()) {
      state.writeMessage(KvState.LEASES_FIELD_NUMBER,
          LeaseState.newBuilder().setId(l.getKey()).setTtl(l.getValue()).build());
    }
  }

  /**
   * Replaces all leases with the snapshot's, with no keys attached yet: restore the store after
   * this so it re-attaches them.
   */
  public synchronized void restoreFrom(KvState state) {
    ttlByLease.clear();
    keysByLease.clear();
    for (LeaseState l : state.getLeasesList()) {
      ttlByLease.put(l.getId(), l.getTtl());
      keysByLease.put(l.getId(), new TreeSet<>(KeyRange.ORDER));
    }
  }
}
