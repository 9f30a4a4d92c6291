package raft.kv.server;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import raft.kv.api.etcdserverpb.CompactionRequest;
import raft.kv.api.etcdserverpb.CompactionResponse;
import raft.kv.api.etcdserverpb.DeleteRangeRequest;
import raft.kv.api.etcdserverpb.DeleteRangeResponse;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.PutResponse;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.RangeResponse;
import raft.kv.api.etcdserverpb.RequestOp;
import raft.kv.api.etcdserverpb.TxnRequest;
import raft.kv.api.etcdserverpb.TxnResponse;
import raft.kv.apply.ApplyResult;
import raft.kv.mvcc.MvccStore;
import raft.kv.pb.InternalRequest;

/**
 * etcd's KV service. Writes (put, delete, txn, compact) go through Raft; a range, and a txn
 * that only reads, is served from this member's store, after a ReadIndex barrier unless the
 * client asked for a serializable (possibly stale) read.
 */
final class KvService extends KVGrpc.KVImplBase {
  private final RaftGateway raft;
  private final MvccStore store;
  private final Headers headers;
  private final ReadAuth auth;

  KvService(RaftGateway raft, MvccStore store, Headers headers, ReadAuth auth) {
    this.raft = raft;
    this.store = store;
    this.headers = headers;
    this.auth = auth;
  }

  @Override
  public void range(RangeRequest r, StreamObserver<RangeResponse> out) {
    if (r.getKey().isEmpty()) {
      out.onError(Errors.keyNotProvided());
      return;
    }
    CompletableFuture<Void> ready = r.getSerializable()
        ? CompletableFuture.completedFuture(null)
        : raft.linearizableBarrier();
    // Checked after the barrier (as etcd): against the auth state the read is served under.
    Rpc.reply(ready.thenCombine(Caller.current(), (v, who) -> who),
        who -> auth.serve(who, p -> p.range(r), () -> headers.complete(store.range(r))), out);
  }

  @Override
  public void put(PutRequest r, StreamObserver<PutResponse> out) {
    if (r.getKey().isEmpty()) {
      out.onError(Errors.keyNotProvided());
      return;
    }
    Rpc.write(raft, headers, InternalRequest.newBuilder().setPut(r),
        ApplyResult.Put.class, out);
  }

  @Override
  public void deleteRange(DeleteRangeRequest r, StreamObserver<DeleteRangeResponse> out) {
    if (r.getKey().isEmpty()) {
      out.onError(Errors.keyNotProvided());
      return;
    }
    Rpc.write(raft, headers, InternalRequest.newBuilder().setDeleteRange(r),
        ApplyResult.DeleteRange.class, out);
  }

  @Override
  public void txn(TxnRequest r, StreamObserver<TxnResponse> out) {
    if (!isReadOnly(r)) {
      Rpc.write(raft, headers, InternalRequest.newBuilder().setTxn(r),
          ApplyResult.Txn.class, out);
      return;
    }
    // As etcd does: a txn of compares and ranges only is a read. It needs no log entry (it
    // changes nothing, so no revision), only the ReadIndex barrier (§6.4) unless every range
    // in it is serializable. The store runs it under its lock, so it sees one revision.
    CompletableFuture<Void> ready = isSerializable(r)
        ? CompletableFuture.completedFuture(null)
        : raft.linearizableBarrier();
    Rpc.reply(ready.thenCombine(Caller.current(), (v, who) -> who),
        who -> auth.serve(who, p -> p.txn(r), () -> headers.complete(store.txn(r))), out);
  }

  /** Only ranges in both branches (a nested txn counts as a write, as in etcd 3.4). */
  static boolean isReadOnly(TxnRequest r) {
    return r.getSuccessList().stream().allMatch(RequestOp::hasRequestRange)
        && r.getFailureList().stream().allMatch(RequestOp::hasRequestRange);
  }

  private static boolean isSerializable(TxnRequest r) {
    return r.getSuccessList().stream().allMatch(op -> op.getRequestRange().getSerializable())
        && r.getFailureList().stream().allMatch(op -> op.getRequestRange().getSerializable());
  }

  @Override
  public void compact(CompactionRequest r, StreamObserver<CompactionResponse> out) {
    Rpc.write(raft, headers, InternalRequest.newBuilder().setCompaction(r),
        ApplyResult.Compaction.class, out);
  }
}
