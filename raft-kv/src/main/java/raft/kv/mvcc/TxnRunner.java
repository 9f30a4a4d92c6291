package raft.kv.mvcc;

import java.util.List;
import java.util.function.Consumer;
import raft.kv.api.etcdserverpb.Compare;
import raft.kv.api.etcdserverpb.RequestOp;
import raft.kv.api.etcdserverpb.ResponseOp;
import raft.kv.api.etcdserverpb.TxnRequest;
import raft.kv.api.etcdserverpb.TxnResponse;
import raft.kv.api.mvccpb.KeyValue;

/**
 * Executes one txn into a {@link WriteBatch}, as etcd's applier does: every compare (nested ones
 * too) sees the state before the txn; the ops of the chosen path are checked first (puts, then
 * range revisions), so a refused txn writes nothing; then they run in order, reads seeing the
 * txn's earlier writes. Runs with the store's write lock held.
 */
final class TxnRunner {
  private final MvccStore store;
  private final WriteBatch batch;

  TxnRunner(MvccStore store, WriteBatch batch) {
    this.store = store;
    this.batch = batch;
  }

  TxnResponse run(TxnRequest req) {
    forEachOnPath(req, op -> {
      if (op.hasRequestPut()) {
        store.checkPutPreconditions(op.getRequestPut(), false);
      }
    });
    forEachOnPath(req, op -> {
      if (op.hasRequestRange()) {
        store.checkReadRevision(op.getRequestRange().getRevision());
      }
    });
    return execute(req);
  }

  private void forEachOnPath(TxnRequest req, Consumer<RequestOp> check) {
    for (RequestOp op : chosenOps(req)) {
      if (op.hasRequestTxn()) {
        forEachOnPath(op.getRequestTxn(), check);
      }
      check.accept(op);
    }
  }

  private List<RequestOp> chosenOps(TxnRequest req) {
    return succeeds(req) ? req.getSuccessList() : req.getFailureList();
  }

  private TxnResponse execute(TxnRequest req) {
    boolean ok = succeeds(req);
    TxnResponse.Builder resp = TxnResponse.newBuilder().setSucceeded(ok);
    for (RequestOp op : ok ? req.getSuccessList() : req.getFailureList()) {
      resp.addResponses(executeOp(op));
    }
    return resp.setHeader(MvccStore.header(store.viewRevision(batch))).build();
  }

  private ResponseOp executeOp(RequestOp op) {
    ResponseOp.Builder r = ResponseOp.newBuilder();
    switch (op.getRequestCase()) {
      case REQUEST_RANGE -> r.setResponseRange(store.rangeLocked(op.getRequestRange(), batch));
      case REQUEST_PUT -> r.setResponsePut(store.putLocked(batch, op.getRequestPut()));
      case REQUEST_DELETE_RANGE ->
          r.setResponseDeleteRange(store.deleteLocked(batch, op.getRequestDeleteRange()));
      case REQUEST_TXN -> r.setResponseTxn(execute(op.getRequestTxn()));
      default -> { } // an empty op answers an empty response, as etcd
    }
    return r.build();
  }

  /** All compares hold on the state before the txn (the batch is not committed yet). */
  private boolean succeeds(TxnRequest req) {
    for (Compare c : req.getCompareList()) {
      if (!holds(c)) {
        return false;
      }
    }
    return true;
  }

  private boolean holds(Compare c) {
    List<KeyValue> kvs = store.liveAt(c.getKey(), c.getRangeEnd(), store.currentRevisionLocked());
    if (kvs.isEmpty()) {
      // etcd: a missing key has no value to compare (nil == "" on the wire), so VALUE fails;
      // the other targets compare against zero.
      return c.getTarget() != Compare.CompareTarget.VALUE
          && holds(c, KeyValue.getDefaultInstance());
    }
    for (KeyValue kv : kvs) {
      if (!holds(c, kv)) {
        return false;
      }
    }
    return true;
  }

  private static boolean holds(Compare c, KeyValue kv) {
    int cmp = switch (c.getTarget()) {
      case VERSION -> Long.compare(kv.getVersion(), c.getVersion());
      case CREATE -> Long.compare(kv.getCreateRevision(), c.getCreateRevision());
      case MOD -> Long.compare(kv.getModRevision(), c.getModRevision());
      case VALUE -> KeyRange.ORDER.compare(kv.getValue(), c.getValue());
      case LEASE -> Long.compare(kv.getLease(), c.getLease());
      default -> 0;
    };
    return switch (c.getResult()) {
      case EQUAL -> cmp == 0;
      case NOT_EQUAL -> cmp != 0;
      case GREATER -> cmp > 0;
      case LESS -> cmp < 0;
      default -> false;
    };
  }
}
