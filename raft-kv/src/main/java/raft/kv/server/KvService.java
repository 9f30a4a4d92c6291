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
import raft.kv.api.etcdserverpb.TxnRequest;
import raft.kv.api.etcdserverpb.TxnResponse;
import raft.kv.mvcc.MvccStore;
import raft.kv.pb.InternalRequest;

/**
 * etcd's KV service. Writes (put, delete, txn, compact) go through Raft; a range is served from
 * this member's store, after a ReadIndex barrier unless the client asked for a serializable
 * (possibly stale) read.
 */
final class KvService extends KVGrpc.KVImplBase {
  private final RaftGateway raft;
  private final MvccStore store;
  private final Headers headers;

  KvService(RaftGateway raft, MvccStore store, Headers headers) {
    this.raft = raft;
    this.store = store;
    this.headers = headers;
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
    Rpc.reply(ready, v -> headers.complete(store.range(r)), out);
  }

  @Override
  public void put(PutRequest r, StreamObserver<PutResponse> out) {
    if (r.getKey().isEmpty()) {
      out.onError(Errors.keyNotProvided());
      return;
    }
    Rpc.write(raft, headers, InternalRequest.newBuilder().setPut(r), out);
  }

  @Override
  public void deleteRange(DeleteRangeRequest r, StreamObserver<DeleteRangeResponse> out) {
    if (r.getKey().isEmpty()) {
      out.onError(Errors.keyNotProvided());
      return;
    }
    Rpc.write(raft, headers, InternalRequest.newBuilder().setDeleteRange(r), out);
  }

  @Override
  public void txn(TxnRequest r, StreamObserver<TxnResponse> out) {
    // Every txn goes through the log, read-only ones too: simple, and linearizable by
    // construction (etcd serves read-only txns through the ReadIndex path instead).
    Rpc.write(raft, headers, InternalRequest.newBuilder().setTxn(r), out);
  }

  @Override
  public void compact(CompactionRequest r, StreamObserver<CompactionResponse> out) {
    Rpc.write(raft, headers, InternalRequest.newBuilder().setCompaction(r), out);
  }
}
