package raft.kv.mvcc;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import raft.kv.api.etcdserverpb.Compare;
import raft.kv.api.etcdserverpb.DeleteRangeRequest;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.RequestOp;
import raft.kv.api.etcdserverpb.TxnRequest;

/**
 * The request checks etcd makes in its gRPC layer before proposing (v3rpc/key.go). We make them
 * when applying, which is just as deterministic, so a request is refused the same way whichever
 * member proposed it.
 */
final class RequestChecks {
  /** etcd's default --max-txn-ops. */
  static final int MAX_TXN_OPS = 128;

  private RequestChecks() {}

  static void checkRange(RangeRequest r) {
    if (r.getKey().isEmpty()) {
      throw KvException.emptyKey();
    }
  }

  static void checkPut(PutRequest r) {
    if (r.getKey().isEmpty()) {
      throw KvException.emptyKey();
    }
    if (r.getIgnoreValue() && !r.getValue().isEmpty()) {
      throw KvException.valueProvided();
    }
    if (r.getIgnoreLease() && r.getLease() != 0) {
      throw KvException.leaseProvided();
    }
  }

  static void checkDelete(DeleteRangeRequest r) {
    if (r.getKey().isEmpty()) {
      throw KvException.emptyKey();
    }
  }

  /** Shape checks of a txn and all nested ones, then the duplicate-key check of each branch. */
  static void checkTxn(TxnRequest r) {
    checkTxnShape(r);
    checkIntervals(r.getSuccessList());
    checkIntervals(r.getFailureList());
  }

  private static void checkTxnShape(TxnRequest r) {
    int ops = Math.max(r.getCompareCount(), Math.max(r.getSuccessCount(), r.getFailureCount()));
    if (ops > MAX_TXN_OPS) {
      throw KvException.tooManyOps();
    }
    for (Compare c : r.getCompareList()) {
      if (c.getKey().isEmpty()) {
        throw KvException.emptyKey();
      }
    }
    for (RequestOp op : r.getSuccessList()) {
      checkOp(op);
    }
    for (RequestOp op : r.getFailureList()) {
      checkOp(op);
    }
  }

  private static void checkOp(RequestOp op) {
    switch (op.getRequestCase()) {
      case REQUEST_RANGE -> checkRange(op.getRequestRange());
      case REQUEST_PUT -> checkPut(op.getRequestPut());
      case REQUEST_DELETE_RANGE -> checkDelete(op.getRequestDeleteRange());
      case REQUEST_TXN -> checkTxnShape(op.getRequestTxn());
      default -> { }
    }
  }

  /** Puts and delete ranges that one list of ops (with its nested txns) may write. */
  private record Writes(Set<ByteString> puts, List<ByteString[]> dels) {
    boolean deletes(ByteString k) {
      for (ByteString[] d : dels) {
        if (KeyRange.contains(d[0], d[1], k)) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * etcd's rule, in etcd's order: no key may be put twice, or put and deleted, on a path a txn
   * can take. Then and else branches of a nested txn exclude each other, so the same key in both
   * is fine; overlapping deletes are fine too.
   */
  private static Writes checkIntervals(List<RequestOp> ops) {
    Writes w = new Writes(new HashSet<>(), new ArrayList<>());
    for (RequestOp op : ops) {
      if (op.hasRequestDeleteRange()) {
        DeleteRangeRequest d = op.getRequestDeleteRange();
        w.dels().add(new ByteString[] {d.getKey(), d.getRangeEnd()});
      }
    }
    for (RequestOp op : ops) {
      if (op.hasRequestTxn()) {
        mergeNested(w, op.getRequestTxn());
      }
    }
    for (RequestOp op : ops) {
      if (op.hasRequestPut()) {
        addPut(w, op.getRequestPut().getKey());
      }
    }
    return w;
  }

  private static void mergeNested(Writes w, TxnRequest nested) {
    Writes then = checkIntervals(nested.getSuccessList());
    Writes other = checkIntervals(nested.getFailureList());
    for (ByteString k : then.puts()) {
      addPut(w, k);
    }
    for (ByteString k : other.puts()) {
      boolean alsoInThen = then.puts().contains(k);
      if (w.puts().contains(k) && !alsoInThen) {
        throw KvException.duplicateKey();
      }
      if (w.deletes(k)) {
        throw KvException.duplicateKey();
      }
      w.puts().add(k);
    }
    w.dels().addAll(then.dels());
    w.dels().addAll(other.dels());
  }

  private static void addPut(Writes w, ByteString k) {
    if (w.puts().contains(k) || w.deletes(k)) {
      throw KvException.duplicateKey();
    }
    w.puts().add(k);
  }
}
