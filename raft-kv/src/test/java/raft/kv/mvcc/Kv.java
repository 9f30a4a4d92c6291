package raft.kv.mvcc;

import com.google.protobuf.ByteString;
import raft.kv.api.etcdserverpb.Compare;
import raft.kv.api.etcdserverpb.DeleteRangeRequest;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.RequestOp;

/** Short builders for tests. */
public final class Kv {
  private Kv() {}

  public static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  public static PutRequest put(String k, String v) {
    return PutRequest.newBuilder().setKey(b(k)).setValue(b(v)).build();
  }

  public static RangeRequest get(String k) {
    return RangeRequest.newBuilder().setKey(b(k)).build();
  }

  public static RangeRequest get(String k, String end) {
    return RangeRequest.newBuilder().setKey(b(k)).setRangeEnd(b(end)).build();
  }

  public static RangeRequest getAt(String k, long rev) {
    return RangeRequest.newBuilder().setKey(b(k)).setRevision(rev).build();
  }

  public static DeleteRangeRequest del(String k) {
    return DeleteRangeRequest.newBuilder().setKey(b(k)).setPrevKv(true).build();
  }

  public static DeleteRangeRequest del(String k, String end) {
    return DeleteRangeRequest.newBuilder().setKey(b(k)).setRangeEnd(b(end)).setPrevKv(true).build();
  }

  public static RequestOp op(PutRequest p) {
    return RequestOp.newBuilder().setRequestPut(p).build();
  }

  public static RequestOp op(RangeRequest r) {
    return RequestOp.newBuilder().setRequestRange(r).build();
  }

  public static RequestOp op(DeleteRangeRequest d) {
    return RequestOp.newBuilder().setRequestDeleteRange(d).build();
  }

  public static Compare versionEq(String k, long v) {
    return Compare.newBuilder().setKey(b(k)).setTarget(Compare.CompareTarget.VERSION)
        .setResult(Compare.CompareResult.EQUAL).setVersion(v).build();
  }

  public static Compare valueEq(String k, String v) {
    return Compare.newBuilder().setKey(b(k)).setTarget(Compare.CompareTarget.VALUE)
        .setResult(Compare.CompareResult.EQUAL).setValue(b(v)).build();
  }
}
