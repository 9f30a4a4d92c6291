package raft.kv.mvcc;

import com.google.protobuf.ByteString;
import java.util.List;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RequestOp;
import raft.kv.api.etcdserverpb.TxnRequest;
import raft.kv.pb.InternalRequest;

/**
 * Estimates of the heap the store's history takes, and of what a write would add: the space
 * quota's measure. The overheads were measured by applying 100,000 puts through the state
 * machine and comparing the used heap after full collections. When each revision was a
 * KeyValue and a Change object it took its key and value bytes plus 166 to 198 bytes, rounded
 * up to {@link #REVISION_OVERHEAD} = 200; each distinct key about 230 more (its own copy of the
 * key, its two index entries and its history), rounded up to 240. KeyHistory's compact layout
 * (array slots, not objects per revision) takes about 126 bytes beyond key and value
 * (StoreMemory), so 200 is now deliberately conservative: it is kept so that a quota
 * (--quota-backend-bytes) means what it meant, admitting as many revisions as before, which
 * now take less heap.
 */
public final class Sizes {
  /** Heap per revision beyond its key and value. */
  static final long REVISION_OVERHEAD = 200;
  /** Heap per distinct key beyond its bytes. */
  static final long KEY_OVERHEAD = 240;
  /** etcd's estimate of a lease grant's cost in its database. */
  static final long LEASE_GRANT = 64;

  private Sizes() {}

  static long key(ByteString key) {
    return key.size() + KEY_OVERHEAD;
  }

  static long change(Change c) {
    return c.kv().getKey().size() + c.kv().getValue().size() + REVISION_OVERHEAD;
  }

  /** The i-th change of {@code h}, as {@link #change} counts it. */
  static long change(KeyHistory h, int i) {
    return h.keySize(i) + h.valueSize(i) + REVISION_OVERHEAD;
  }

  static long history(KeyHistory h) {
    long bytes = 0;
    for (int i = 0; i < h.size(); i++) {
      bytes += change(h, i);
    }
    return bytes;
  }

  /** What of a key's history no compaction frees: its current value and the key, if any. */
  static long live(KeyHistory h) {
    if (h.isEmpty() || h.latest() == null) {
      return 0;
    }
    return key(h.key()) + change(h, h.size() - 1);
  }

  /**
   * The history that appending {@code next} to {@code h} makes: the change it supersedes (a
   * tombstone counted already, when written) and, for a tombstone, itself and its key (what a
   * later compaction drops with the key; if the key is written again first, the key stays, and
   * the estimate of history is that much too high, which errs toward compacting more).
   */
  static long superseded(KeyHistory h, Change next) {
    long bytes = h.isEmpty() || h.latest() == null ? 0 : change(h, h.size() - 1);
    return next.isTombstone() ? bytes + change(next) + key(h.key()) : bytes;
  }

  /**
   * What a replicated request may add to the store at most: what the space quota checks, and
   * what the NOSPACE alarm refuses when it is more than nothing (puts, txns with puts, lease
   * grants). Deletes, compactions and the rest add nothing that counts.
   */
  public static long of(InternalRequest r) {
    return switch (r.getRequestCase()) {
      case PUT -> put(r.getPut());
      case TXN -> txn(r.getTxn());
      case LEASE_GRANT -> LEASE_GRANT;
      default -> 0;
    };
  }

  /** What a put may add at most: a new revision of a new key. */
  public static long put(PutRequest r) {
    return 2 * r.getKey().size() + r.getValue().size() + REVISION_OVERHEAD + KEY_OVERHEAD;
  }

  /**
   * What a txn may add: the larger branch's puts (nested txns included). A txn without puts
   * adds nothing that counts (deletes add a small tombstone, and must stay possible when the
   * store is full, so that it can be emptied).
   */
  public static long txn(TxnRequest r) {
    return Math.max(ops(r.getSuccessList()), ops(r.getFailureList()));
  }

  private static long ops(List<RequestOp> ops) {
    long bytes = 0;
    for (RequestOp op : ops) {
      if (op.hasRequestPut()) {
        bytes += put(op.getRequestPut());
      } else if (op.hasRequestTxn()) {
        bytes += txn(op.getRequestTxn());
      }
    }
    return bytes;
  }
}
