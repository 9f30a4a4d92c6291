package raft.kv.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;


import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import raft.kv.api.etcdserverpb.CompactionRequest;
import raft.kv.api.etcdserverpb.Compare;
import raft.kv.api.etcdserverpb.DeleteRangeRequest;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.RequestOp;
import raft.kv.api.etcdserverpb.TxnRequest;

/**
 * MvccStore against {@link MvccModel}: random puts, deletes, txns, compactions and reads at
 * random revisions; every response (or error) must equal the model's, and after every step a
 * read of everything at every revision since the compaction must agree too.
 */
public class MvccStoreProperties {
  private static final List<String> KEYS = List.of("a", "ab", "abc", "b", "c", "cd", "d", "e");

  /** One step: its request, and how to run it on the store and on the model. */
  record Step(String name, Object request) {
    @Override
    public String toString() {
      return name + " " + request.toString().replace('\n', ' ');
    }
  }

  @Property(tries = 200)
  void storeAgreesWithNaiveModel(@ForAll("steps") List<Step> steps) {
    MvccStore store = new MvccStore();
    MvccModel model = new MvccModel();
    for (Step s : steps) {
      Object expected = outcome(() -> onModel(model, s));
      Object actual = outcome(() -> onStore(store, s));
      assertEquals(expected, actual, s.toString());
      assertEquals(model.current, store.currentRevision());
      assertEquals(store.measure(), store.sizeBytes(), "running size estimate after " + s);
      assertEquals(store.measureLive(), store.liveBytes(), "running live estimate after " + s);
      for (long rev = Math.max(1, model.compacted); rev <= model.current; rev++) {
        RangeRequest all = RangeRequest.newBuilder().setKey(bs("\0")).setRangeEnd(bs("\0"))
            .setRevision(rev).build();
        assertEquals(model.range(all, List.of()), store.range(all), "all keys at " + rev);
      }
    }
    assertEquals(store.sizeBytes(), restored(store).sizeBytes(), "size after a snapshot");
    assertEquals(store.liveBytes(), restored(store).liveBytes(), "live after a snapshot");
  }

  private static MvccStore restored(MvccStore store) {
    try {
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      com.google.protobuf.CodedOutputStream out =
          com.google.protobuf.CodedOutputStream.newInstance(bytes);
      store.writeTo(out);
      out.flush();
      MvccStore copy = new MvccStore();
      copy.restoreFrom(raft.kv.pb.KvState.parseFrom(bytes.toByteArray()));
      return copy;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Object outcome(Supplier<Object> run) {
    try {
      return run.get();
    } catch (KvException e) {
      return e.code() + ": " + e.getMessage();
    }
  }

  private static Object onStore(MvccStore store, Step s) {
    return switch (s.name()) {
      case "put" -> store.put((PutRequest) s.request());
      case "del" -> store.deleteRange((DeleteRangeRequest) s.request());
      case "txn" -> store.txn((TxnRequest) s.request());
      case "range" -> store.range((RangeRequest) s.request());
      default -> store.compact(CompactionRequest.newBuilder().setRevision((Long) s.request()).build());
    };
  }

  private static Object onModel(MvccModel model, Step s) {
    switch (s.name()) {
      case "put": {
        List<MvccModel.Write> pending = new ArrayList<>();
        var r = model.put((PutRequest) s.request(), pending);
        model.commit(pending);
        return r;
      }
      case "del": {
        List<MvccModel.Write> pending = new ArrayList<>();
        var r = model.delete((DeleteRangeRequest) s.request(), pending);
        model.commit(pending);
        return r.toBuilder().setHeader(MvccModel.header(model.current)).build();
      }
      case "txn":
        return model.txn((TxnRequest) s.request());
      case "range":
        return model.range((RangeRequest) s.request(), List.of());
      default:
        return model.compact((Long) s.request());
    }
  }

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Step> step = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(5, puts().map(p -> new Step("put", p))),
        net.jqwik.api.Tuple.of(2, deletes().map(d -> new Step("del", d))),
        net.jqwik.api.Tuple.of(3, txns().map(t -> new Step("txn", t))),
        net.jqwik.api.Tuple.of(3, ranges().map(r -> new Step("range", r))),
        net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(0, 30).map(r -> new Step("compact", r))));
    return step.list().ofMaxSize(30);
  }

  public static com.google.protobuf.ByteString bs(String s) {
    return MvccModel.bs(s);
  }

  static Arbitrary<String> keys() {
    return Arbitraries.of(KEYS);
  }

  /** "" (one key), a prefix end, "\0" (from key), or another key. */
  static Arbitrary<String> ends(String key) {
    String prefixEnd = key.substring(0, key.length() - 1) + (char) (key.charAt(key.length() - 1) + 1);
    return Arbitraries.oneOf(Arbitraries.of("", prefixEnd, "\0"), keys());
  }

  static Arbitrary<PutRequest> puts() {
    return Combinators.combine(keys(), Arbitraries.of("x", "y", "z"), Arbitraries.of(true, false),
        Arbitraries.integers().between(0, 9)).as((k, v, prev, ignore) -> {
          PutRequest.Builder p = PutRequest.newBuilder().setKey(bs(k)).setPrevKv(prev);
          return ignore == 0 ? p.setIgnoreValue(true).build() : p.setValue(bs(v)).build();
        });
  }

  static Arbitrary<DeleteRangeRequest> deletes() {
    return keys().flatMap(k -> Combinators.combine(ends(k), Arbitraries.of(true, false))
        .as((end, prev) -> DeleteRangeRequest.newBuilder().setKey(bs(k)).setRangeEnd(bs(end))
            .setPrevKv(prev).build()));
  }

  static Arbitrary<RangeRequest> ranges() {
    return keys().flatMap(k -> Combinators.combine(ends(k), Arbitraries.longs().between(0, 30),
        Arbitraries.longs().between(0, 3), Arbitraries.of(RangeRequest.SortOrder.NONE,
            RangeRequest.SortOrder.ASCEND, RangeRequest.SortOrder.DESCEND),
        Arbitraries.of(RangeRequest.SortTarget.KEY, RangeRequest.SortTarget.VERSION,
            RangeRequest.SortTarget.CREATE, RangeRequest.SortTarget.MOD, RangeRequest.SortTarget.VALUE))
        .as((end, rev, limit, order, target) -> RangeRequest.newBuilder().setKey(bs(k))
            .setRangeEnd(bs(end)).setRevision(rev).setLimit(limit).setSortOrder(order)
            .setSortTarget(target).build()));
  }

  static Arbitrary<Compare> compares() {
    return Combinators.combine(keys(), Arbitraries.of(Compare.CompareTarget.VERSION,
        Compare.CompareTarget.CREATE, Compare.CompareTarget.MOD, Compare.CompareTarget.VALUE),
        Arbitraries.of(Compare.CompareResult.EQUAL, Compare.CompareResult.NOT_EQUAL,
            Compare.CompareResult.GREATER, Compare.CompareResult.LESS),
        Arbitraries.longs().between(0, 12), Arbitraries.of("", "x", "y", "z"),
        Arbitraries.of("", "\0", "c"))
        .as((k, target, result, n, v, end) -> {
          Compare.Builder c = Compare.newBuilder().setKey(bs(k)).setTarget(target).setResult(result)
              .setRangeEnd(bs(end));
          return switch (target) {
            case VERSION -> c.setVersion(n % 4).build();
            case CREATE -> c.setCreateRevision(n).build();
            case MOD -> c.setModRevision(n).build();
            default -> c.setValue(bs(v)).build();
          };
        });
  }

  static Arbitrary<RequestOp> ops() {
    return Arbitraries.oneOf(
        puts().map(p -> RequestOp.newBuilder().setRequestPut(p).build()),
        deletes().map(d -> RequestOp.newBuilder().setRequestDeleteRange(d).build()),
        ranges().map(r -> RequestOp.newBuilder().setRequestRange(r).build()));
  }

  static Arbitrary<TxnRequest> txns() {
    return Combinators.combine(compares().list().ofMaxSize(2), ops().list().ofMaxSize(3),
        ops().list().ofMaxSize(3)).as((cs, success, failure) -> TxnRequest.newBuilder()
            .addAllCompare(cs).addAllSuccess(success).addAllFailure(failure).build());
  }
}
