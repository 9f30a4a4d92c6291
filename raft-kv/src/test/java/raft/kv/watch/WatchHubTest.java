package raft.kv.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.kv.mvcc.Kv.b;
import static raft.kv.mvcc.Kv.del;
import static raft.kv.mvcc.Kv.op;
import static raft.kv.mvcc.Kv.put;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import raft.kv.api.etcdserverpb.CompactionRequest;
import raft.kv.api.etcdserverpb.TxnRequest;
import raft.kv.api.mvccpb.Event;
import raft.kv.mvcc.MvccStore;

class WatchHubTest {
  /** Records what a watcher got. */
  static final class Recorder implements WatchSink {
    final List<Long> revisions = new ArrayList<>();
    final List<Event> events = new ArrayList<>();
    long compactedAt = -1;

    @Override
    public void events(long revision, List<Event> evs) {
      revisions.add(revision);
      events.addAll(evs);
    }

    @Override
    public void compacted(long compactRevision) {
      compactedAt = compactRevision;
    }
  }

  private final MvccStore store = new MvccStore();
  private final WatchHub hub = new WatchHub(store);

  private Recorder watch(String key, String end, long start, boolean prevKv) {
    Recorder r = new Recorder();
    hub.watch(b(key), b(end), start, prevKv, false, false, r);
    return r;
  }

  @Test
  void replaysFromPastRevisionThenGoesLive() {
    store.put(put("a", "1")); // 2
    store.put(put("b", "1")); // 3
    store.put(put("a", "2")); // 4
    Recorder r = watch("a", "", 3, false);
    assertEquals(List.of(4L), r.revisions);
    store.put(put("a", "3")); // 5
    store.put(put("b", "2")); // 6: not ours
    assertEquals(List.of(4L, 5L), r.revisions);
    assertEquals("3", r.events.get(1).getKv().getValue().toStringUtf8());
    assertEquals(6, hub.currentRevision());
  }

  @Test
  void startZeroMeansFromTheNextRevision() {
    store.put(put("a", "1"));
    Recorder r = watch("a", "", 0, false);
    assertTrue(r.revisions.isEmpty());
    store.put(put("a", "2"));
    assertEquals(List.of(3L), r.revisions);
  }

  @Test
  void txnEventsArriveTogetherAtOneRevision() {
    Recorder r = watch("\0", "\0", 0, false);
    store.txn(TxnRequest.newBuilder().addSuccess(op(put("a", "1"))).addSuccess(op(put("b", "1"))).build());
    assertEquals(List.of(2L), r.revisions);
    assertEquals(2, r.events.size());
  }

  @Test
  void deleteEventCarriesKeyAndDeleteRevisionAndPrevKvWhenAsked() {
    store.put(put("a", "1")); // 2
    Recorder plain = watch("a", "", 0, false);
    Recorder withPrev = watch("a", "", 0, true);
    store.deleteRange(del("a")); // 3
    Event e = plain.events.get(0);
    assertEquals(Event.EventType.DELETE, e.getType());
    assertEquals(b("a"), e.getKv().getKey());
    assertEquals(3, e.getKv().getModRevision());
    assertFalse(e.hasPrevKv());
    assertEquals(b("1"), withPrev.events.get(0).getPrevKv().getValue());
  }

  @Test
  void filtersDropPutsOrDeletes() {
    Recorder noPut = new Recorder();
    Recorder noDelete = new Recorder();
    hub.watch(b("a"), ByteString.EMPTY, 0, false, true, false, noPut);
    hub.watch(b("a"), ByteString.EMPTY, 0, false, false, true, noDelete);
    store.put(put("a", "1"));
    store.deleteRange(del("a"));
    assertEquals(List.of(3L), noPut.revisions);
    assertEquals(List.of(2L), noDelete.revisions);
  }

  @Test
  void startBelowCompactRevisionIsCompactedAndEnds() {
    store.put(put("a", "1")); // 2
    store.put(put("a", "2")); // 3
    store.compact(CompactionRequest.newBuilder().setRevision(3).build());
    Recorder r = new Recorder();
    WatchHub.Watcher w = hub.watch(b("a"), ByteString.EMPTY, 2, false, false, false, r);
    assertEquals(3, r.compactedAt);
    assertTrue(w.isCanceled());
    store.put(put("a", "3"));
    assertTrue(r.revisions.isEmpty());
    Recorder atCompact = watch("a", "", 3, false); // etcd: start == compact revision is fine
    assertEquals(List.of(3L, 4L), atCompact.revisions);
  }

  @Test
  void cancelStopsDelivery() {
    Recorder r = new Recorder();
    WatchHub.Watcher w = hub.watch(b("a"), ByteString.EMPTY, 0, false, false, false, r);
    store.put(put("a", "1"));
    w.cancel();
    store.put(put("a", "2"));
    assertEquals(List.of(2L), r.revisions);
    assertEquals(0, hub.watcherCount());
  }
}
