package raft.kv.mvcc;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.RangeResponse;
import raft.kv.api.etcdserverpb.ResponseHeader;
import raft.kv.api.mvccpb.KeyValue;

/**
 * Turns the key-values in a range (in key order) into a RangeResponse the way etcd's applier
 * does: count is everything in the range; then the min/max revision filters, the sort, the
 * limit (setting {@code more}), and keys_only.
 */
final class RangeResults {
  private RangeResults() {}

  static RangeResponse build(RangeRequest req, List<KeyValue> inRange, long headerRevision) {
    RangeResponse.Builder resp = RangeResponse.newBuilder()
        .setHeader(ResponseHeader.newBuilder().setRevision(headerRevision))
        .setCount(inRange.size());
    if (req.getCountOnly()) {
      return resp.build();
    }
    List<KeyValue> kvs = new ArrayList<>(inRange.size());
    for (KeyValue kv : inRange) {
      if (passesFilters(req, kv)) {
        kvs.add(kv);
      }
    }
    sort(req, kvs);
    if (req.getLimit() > 0 && kvs.size() > req.getLimit()) {
      kvs = kvs.subList(0, (int) req.getLimit());
      resp.setMore(true);
    }
    for (KeyValue kv : kvs) {
      resp.addKvs(req.getKeysOnly() ? kv.toBuilder().clearValue().build() : kv);
    }
    return resp.build();
  }

  private static boolean passesFilters(RangeRequest req, KeyValue kv) {
    if (req.getMaxModRevision() != 0 && kv.getModRevision() > req.getMaxModRevision()) {
      return false;
    }
    if (req.getMinModRevision() != 0 && kv.getModRevision() < req.getMinModRevision()) {
      return false;
    }
    if (req.getMaxCreateRevision() != 0 && kv.getCreateRevision() > req.getMaxCreateRevision()) {
      return false;
    }
    return req.getMinCreateRevision() == 0 || kv.getCreateRevision() >= req.getMinCreateRevision();
  }

  /**
   * etcd: an unset order with a target other than KEY means ascending. etcd's sort is not
   * stable; ours is (ties stay in key order, also when descending), so results are
   * deterministic across members.
   */
  private static void sort(RangeRequest req, List<KeyValue> kvs) {
    RangeRequest.SortOrder order = req.getSortOrder();
    if (order == RangeRequest.SortOrder.NONE && req.getSortTarget() != RangeRequest.SortTarget.KEY) {
      order = RangeRequest.SortOrder.ASCEND;
    }
    if (order == RangeRequest.SortOrder.NONE) {
      return; // already in key order
    }
    Comparator<KeyValue> cmp = comparator(req.getSortTarget());
    if (order == RangeRequest.SortOrder.DESCEND) {
      Comparator<KeyValue> asc = cmp;
      cmp = (a, b) -> asc.compare(b, a);
    }
    kvs.sort(cmp);
  }

  private static Comparator<KeyValue> comparator(RangeRequest.SortTarget target) {
    switch (target) {
      case VERSION:
        return Comparator.comparingLong(KeyValue::getVersion);
      case CREATE:
        return Comparator.comparingLong(KeyValue::getCreateRevision);
      case MOD:
        return Comparator.comparingLong(KeyValue::getModRevision);
      case VALUE:
        return (a, b) -> KeyRange.ORDER.compare(a.getValue(), b.getValue());
      case KEY:
      default:
        return (a, b) -> KeyRange.ORDER.compare(a.getKey(), b.getKey());
    }
  }
}
