package raft.kv.bench;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.RequestOp;
import raft.kv.api.etcdserverpb.TxnRequest;

/** The unary workloads: one request per call, sent on the connection the runner chooses. */
final class Operations {
  private Operations() {}

  /**
   * Starts one request; never blocks. Called from the runner's single dispatch thread; the
   * returned future completes on a gRPC thread.
   */
  interface Operation extends AutoCloseable {
    ListenableFuture<?> issue(long seq, int conn);

    @Override
    default void close() {}
  }

  /** A value of the given size; its content does not matter, only its length. */
  static ByteString value(int size) {
    byte[] v = new byte[size];
    for (int i = 0; i < size; i++) {
      v[i] = (byte) ('a' + i % 26);
    }
    return ByteString.copyFrom(v);
  }

  static Operation unary(BenchConfig c, List<ManagedChannel> channels, long deadlineMs,
      boolean sequentialKeys) {
    List<KVGrpc.KVFutureStub> stubs = channels.stream().map(KVGrpc::newFutureStub).toList();
    ByteString value = value(c.valSize());
    return (seq, conn) -> {
      long k = sequentialKeys ? seq % c.keySpace()
          : ThreadLocalRandom.current().nextLong(c.keySpace());
      ByteString key = ByteString.copyFromUtf8(c.key(k));
      KVGrpc.KVFutureStub stub =
          stubs.get(conn).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
      return switch (c.workload()) {
        case PUT -> stub.put(PutRequest.newBuilder().setKey(key).setValue(value).build());
        case RANGE -> stub.range(RangeRequest.newBuilder().setKey(key)
            .setSerializable(c.serializable()).build());
        case TXN_PUT -> stub.txn(TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder()
            .setRequestPut(PutRequest.newBuilder().setKey(key).setValue(value))).build());
        case WATCH_LATENCY -> throw new IllegalStateException("watch-latency is not unary");
      };
    };
  }
}
