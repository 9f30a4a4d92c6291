package raft.kv.mvcc;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import raft.kv.api.etcdserverpb.CompactionResponse;
import raft.kv.api.etcdserverpb.DeleteRangeRequest;
import raft.kv.api.etcdserverpb.DeleteRangeResponse;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.PutResponse;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.RangeResponse;
import raft.kv.api.etcdserverpb.RequestOp;
import raft.kv.api.etcdserverpb.ResponseHeader;
import raft.kv.api.etcdserverpb.ResponseOp;
import raft.kv.api.etcdserverpb.TxnRequest;
import raft.kv.api.etcdserverpb.TxnResponse;
import raft.kv.api.mvccpb.Event;
import raft.kv.api.mvccpb.KeyValue;

/**
 * A naive MVCC model for the property test: the full log of writes, never compacted, and every
 * answer recomputed by replaying the log from the start. Keys are ASCII strings, so String order
 * is etcd's byte order. No leases, no nested txns.
 */
final class MvccModel {
  /** One write: value null means delete. */
  record Write(long rev, String key, String value) {}

  final List<Write> log = new ArrayList<>();
  long current = 1;
  long compacted = 0;

  /** The live key-values as of revision rev, plus {@code pending} writes applied on top. */
  TreeMap<String, KeyValue> stateAt(long rev, List<Write> pending) {
    TreeMap<String, KeyValue> m = new TreeMap<>();
    List<Write> all = new ArrayList<>();
    for (Write w : log) {
      if (w.rev() <= rev) {
        all.add(w);
      }
    }
    all.addAll(pending);
    for (Write w : all) {
      KeyValue prev = m.get(w.key());
      if (w.value() == null) {
        m.remove(w.key());
        continue;
      }
      m.put(w.key(), KeyValue.newBuilder().setKey(bs(w.key())).setValue(bs(w.value()))
          .setCreateRevision(prev == null ? w.rev() : prev.getCreateRevision())
          .setModRevision(w.rev()).setVersion(prev == null ? 1 : prev.getVersion() + 1).build());
    }
    return m;
  }

  /** Every event at revisions >= from, in order, with prev_kv, from replaying the log. */
  List<Event> eventsFrom(long from) {
    List<Event> out = new ArrayList<>();
    for (int i = 0; i < log.size(); i++) {
      Write w = log.get(i);
      if (w.rev() < from) {
        continue;
      }
      // state just before this write: everything earlier in the log
      List<Write> earlier = log.subList(0, i);
      KeyValue prev = replay(earlier).get(w.key());
      KeyValue now = replay(log.subList(0, i + 1)).get(w.key());
      Event.Builder e = Event.newBuilder();
      if (w.value() == null) {
        e.setType(Event.EventType.DELETE)
            .setKv(KeyValue.newBuilder().setKey(bs(w.key())).setModRevision(w.rev()));
      } else {
        e.setType(Event.EventType.PUT).setKv(now);
      }
      if (prev != null) {
        e.setPrevKv(prev);
      }
      out.add(e.build());
    }
    return out;
  }

  private TreeMap<String, KeyValue> replay(List<Write> writes) {
    MvccModel m = new MvccModel();
    m.log.addAll(writes);
    return m.stateAt(Long.MAX_VALUE, List.of());
  }

  static ByteString bs(String s) {
    return ByteString.copyFromUtf8(s);
  }

  static boolean inRange(String key, String end, String k) {
    if (end.isEmpty()) {
      return k.equals(key);
    }
    return k.compareTo(key) >= 0 && (end.equals("\0") || k.compareTo(end) < 0);
  }

  static ResponseHeader header(long rev) {
    return ResponseHeader.newBuilder().setRevision(rev).build();
  }

  // ---- operations; each returns the response or throws KvException like the store ----

  RangeResponse range(RangeRequest r, List<Write> pending) {
    long view = pending.isEmpty() ? current : current + 1;
    if (r.getRevision() > current) {
      throw KvException.futureRevision();
    }
    if (r.getRevision() > 0 && r.getRevision() < compacted) {
      throw KvException.compacted();
    }
    Map<String, KeyValue> state = r.getRevision() > 0
        ? stateAt(r.getRevision(), List.of()) : stateAt(current, pending);
    List<KeyValue> kvs = new ArrayList<>();
    for (KeyValue kv : state.values()) {
      if (inRange(r.getKey().toStringUtf8(), r.getRangeEnd().toStringUtf8(), kv.getKey().toStringUtf8())) {
        kvs.add(kv);
      }
    }
    RangeResponse.Builder b = RangeResponse.newBuilder().setHeader(header(view)).setCount(kvs.size());
    Comparator<KeyValue> cmp = switch (r.getSortTarget()) {
      case VERSION -> Comparator.comparingLong(KeyValue::getVersion);
      case CREATE -> Comparator.comparingLong(KeyValue::getCreateRevision);
      case MOD -> Comparator.comparingLong(KeyValue::getModRevision);
      case VALUE -> Comparator.comparing(kv -> kv.getValue().toStringUtf8());
      default -> Comparator.comparing(kv -> kv.getKey().toStringUtf8());
    };
    if (r.getSortOrder() == RangeRequest.SortOrder.DESCEND) {
      Comparator<KeyValue> asc = cmp;
      cmp = (x, y) -> asc.compare(y, x);
    }
    kvs.sort(cmp); // stable, from key order: NONE and ASCEND agree
    for (int i = 0; i < kvs.size(); i++) {
      if (r.getLimit() > 0 && i == r.getLimit()) {
        b.setMore(true);
        break;
      }
      b.addKvs(kvs.get(i));
    }
    return b.build();
  }

  PutResponse put(PutRequest p, List<Write> pending) {
    KeyValue prev = stateAt(current, pending).get(p.getKey().toStringUtf8());
    if (p.getIgnoreValue() && prev == null) {
      throw KvException.keyNotFound();
    }
    String value = p.getIgnoreValue() ? prev.getValue().toStringUtf8() : p.getValue().toStringUtf8();
    pending.add(new Write(current + 1, p.getKey().toStringUtf8(), value));
    PutResponse.Builder b = PutResponse.newBuilder().setHeader(header(current + 1));
    if (p.getPrevKv() && prev != null) {
      b.setPrevKv(prev);
    }
    return b.build();
  }

  DeleteRangeResponse delete(DeleteRangeRequest d, List<Write> pending) {
    DeleteRangeResponse.Builder b = DeleteRangeResponse.newBuilder();
    for (KeyValue kv : stateAt(current, pending).values()) {
      if (inRange(d.getKey().toStringUtf8(), d.getRangeEnd().toStringUtf8(), kv.getKey().toStringUtf8())) {
        pending.add(new Write(current + 1, kv.getKey().toStringUtf8(), null));
        b.setDeleted(b.getDeleted() + 1);
        if (d.getPrevKv()) {
          b.addPrevKvs(kv);
        }
      }
    }
    return b.setHeader(header(pending.isEmpty() ? current : current + 1)).build();
  }

  TxnResponse txn(TxnRequest t) {
    checkNoDuplicates(t.getSuccessList());
    checkNoDuplicates(t.getFailureList());
    boolean ok = t.getCompareList().stream().allMatch(c -> MvccModelCompare.holds(c, stateAt(current, List.of())));
    List<RequestOp> ops = ok ? t.getSuccessList() : t.getFailureList();
    List<Write> pending = new ArrayList<>();
    for (RequestOp op : ops) { // checks before any write, as etcd
      if (op.hasRequestPut() && op.getRequestPut().getIgnoreValue()
          && !stateAt(current, List.of()).containsKey(op.getRequestPut().getKey().toStringUtf8())) {
        throw KvException.keyNotFound();
      }
    }
    for (RequestOp op : ops) {
      long rev = op.hasRequestRange() ? op.getRequestRange().getRevision() : 0;
      if (rev > current) {
        throw KvException.futureRevision();
      }
      if (rev > 0 && rev < compacted) {
        throw KvException.compacted();
      }
    }
    TxnResponse.Builder b = TxnResponse.newBuilder().setSucceeded(ok);
    for (RequestOp op : ops) {
      ResponseOp.Builder r = ResponseOp.newBuilder();
      if (op.hasRequestPut()) {
        r.setResponsePut(put(op.getRequestPut(), pending));
      } else if (op.hasRequestDeleteRange()) {
        r.setResponseDeleteRange(delete(op.getRequestDeleteRange(), pending));
      } else {
        r.setResponseRange(range(op.getRequestRange(), pending));
      }
      b.addResponses(r);
    }
    commit(pending);
    return b.setHeader(header(current)).build();
  }

  private static void checkNoDuplicates(List<RequestOp> ops) {
    List<String> puts = new ArrayList<>();
    for (RequestOp op : ops) {
      if (op.hasRequestPut()) {
        String k = op.getRequestPut().getKey().toStringUtf8();
        if (puts.contains(k)) {
          throw KvException.duplicateKey();
        }
        puts.add(k);
      }
    }
    for (RequestOp op : ops) {
      if (op.hasRequestDeleteRange()) {
        DeleteRangeRequest d = op.getRequestDeleteRange();
        for (String k : puts) {
          if (inRange(d.getKey().toStringUtf8(), d.getRangeEnd().toStringUtf8(), k)) {
            throw KvException.duplicateKey();
          }
        }
      }
    }
  }

  void commit(List<Write> pending) {
    if (!pending.isEmpty()) {
      log.addAll(pending);
      current++;
    }
  }

  CompactionResponse compact(long rev) {
    if (rev <= compacted) {
      throw KvException.compacted();
    }
    if (rev > current) {
      throw KvException.futureRevision();
    }
    compacted = rev;
    return CompactionResponse.newBuilder().setHeader(header(current)).build();
  }
}
