package raft.jepsen.client;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.TimeUnit;
import raft.jepsen.history.Op.Outcome;
import raft.kv.api.etcdserverpb.Compare;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.RangeResponse;
import raft.kv.api.etcdserverpb.RequestOp;
import raft.kv.api.etcdserverpb.TxnRequest;

/**
 * The three register operations over etcd's v3 KV API on one channel, each with a deadline.
 * Blocking; one caller at a time per instance (a client process runs one op at a time).
 */
public final class Kv {
  private final ManagedChannel channel;
  private final long deadlineMillis;
  private final boolean serializable;
  private final boolean noLeaderMeansDropped;

  /**
   * @param serializable read locally (possibly stale) instead of through the leader
   * @param noLeaderMeansDropped the server's "no leader" means the write was never proposed
   */
  public Kv(ManagedChannel channel, long deadlineMillis, boolean serializable,
      boolean noLeaderMeansDropped) {
    this.channel = channel;
    this.deadlineMillis = deadlineMillis;
    this.serializable = serializable;
    this.noLeaderMeansDropped = noLeaderMeansDropped;
  }

  private KVGrpc.KVBlockingStub stub() {
    return KVGrpc.newBlockingStub(channel).withDeadlineAfter(deadlineMillis,
        TimeUnit.MILLISECONDS);
  }

  /** The key's value, or null when it is absent. */
  public String read(String key) {
    RangeResponse r = stub().range(RangeRequest.newBuilder().setKey(bytes(key))
        .setSerializable(serializable).build());
    return r.getKvsCount() == 0 ? null : r.getKvs(0).getValue().toStringUtf8();
  }

  /** Puts; returns the revision of the write. */
  public long write(String key, String value) {
    return stub().put(PutRequest.newBuilder().setKey(bytes(key)).setValue(bytes(value)).build())
        .getHeader().getRevision();
  }

  /** Compare value == expected, then put; true if the compare held (and the put applied). */
  public boolean cas(String key, String expected, String value) {
    TxnRequest txn = TxnRequest.newBuilder()
        .addCompare(Compare.newBuilder().setKey(bytes(key))
            .setTarget(Compare.CompareTarget.VALUE).setResult(Compare.CompareResult.EQUAL)
            .setValue(bytes(expected)))
        .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder()
            .setKey(bytes(key)).setValue(bytes(value))))
        .build();
    return stub().txn(txn).getSucceeded();
  }

  static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(s);
  }

  /**
   * How a failed write or CAS ended. FAIL only when the server certainly did not apply it: a
   * request it rejected as malformed, or (where the db vouches for it) "no leader", which our
   * server sends only for a proposal Raft dropped, or a connection that was refused (the
   * request never left this process: gRPC sends nothing before the transport is up, and a
   * transparent retry is only made for a stream that never reached the server). Everything else
   * (timeouts, a connection lost mid-call) may have been proposed and committed behind our back:
   * INFO. With auth on, an auth refusal is FAIL too: an unknown token (UNAUTHENTICATED, or our
   * own dialer's failure to get one) is refused before anything is proposed, and a denied
   * permission (PERMISSION_DENIED) is an entry applied as a refusal, in etcd as in ours.
   */
  public Outcome outcomeOfWriteError(RuntimeException e) {
    if (e instanceof StatusRuntimeException s) {
      Status st = s.getStatus();
      if (st.getCode() == Status.Code.INVALID_ARGUMENT || neverConnected(s)
          || st.getCode() == Status.Code.UNAUTHENTICATED
          || st.getCode() == Status.Code.PERMISSION_DENIED) {
        return Outcome.FAIL;
      }
      if (noLeaderMeansDropped && st.getCode() == Status.Code.UNAVAILABLE
          && "etcdserver: no leader".equals(st.getDescription())) {
        return Outcome.FAIL;
      }
    }
    return Outcome.INFO;
  }

  /** UNAVAILABLE because the connection was refused (a member that is down or not a member). */
  public static boolean neverConnected(StatusRuntimeException e) {
    if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
      return false;
    }
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException) {
        return true;
      }
    }
    return false;
  }

  /** After a transport error, reconnect at once instead of waiting out gRPC's backoff. */
  public void resetBackoff() {
    channel.resetConnectBackoff();
  }
}
