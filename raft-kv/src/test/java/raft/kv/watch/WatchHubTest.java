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
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import raft.kv.api.etcdserverpb.CompactionRequest;
import raft.kv.api.etcdserverpb.TxnRequest;
import raft.kv.api.mvccpb.Event;
import raft.kv.mvcc.MvccStore;

class WatchHubTest {
  /**
   * Records what a watcher got: every call's header revision and events, and the distinct
   * revisions of its events. While {@code refusing}, or once it has accepted
   * {@code acceptBeforeRefusing} more calls, it refuses them, as a stream whose client does not
   * read does; {@code offers} counts every call, refused or not.
   */
  static final class Recorder implements WatchSink {
    final List<Long> revisions = new ArrayList<>();
    final List<Long> headers = new ArrayList<>();
    final List<List<Event>> responses = new ArrayList<>();
    final List<Event> events = new ArrayList<>();
    long compactedAt = -1;
    boolean refusing;
    int acceptBeforeRefusing = Integer.MAX_VALUE;
    int offers;

    @Override
    public boolean events(long headerRevision, List<Event> evs) {
      offers++;
      if (refusing || acceptBeforeRefusing == 0) {
        return false;
      }
      acceptBeforeRefusing--;
      headers.add(headerRevision);
      responses.add(List.copyOf(evs));
      for (Event e : evs) {
        long rev = e.getKv().getModRevision();
        if (revisions.isEmpty() || revisions.get(revisions.size() - 1) != rev) {
          revisions.add(rev);
        }
      }
      events.addAll(evs);
      return true;
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

  private static List<Long> revisions(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  @Test
  void aWatcherThatRefusesIsSkippedUntilResumedThenCaughtUpInOrder() {
    Recorder r = new Recorder();
    WatchHub.Watcher w = hub.watch(b("a"), ByteString.EMPTY, 0, false, false, false, r);
    store.put(put("a", "0")); // 2: delivered live
    r.refusing = true;
    store.put(put("a", "1")); // 3: refused, so the watcher becomes slow needing 3
    for (int i = 0; i < 3 * WatchHub.CATCH_UP_REVISIONS; i++) {
      store.put(put("a", "x" + i));
    }
    assertEquals(2, r.offers, "the apply thread offers a slow watcher nothing");
    assertFalse(w.isSynced());
    assertEquals(1, hub.slowReport().slow());
    assertEquals(3, hub.slowReport().oldestNeeded());
    r.refusing = false;
    w.resume();
    long last = store.currentRevision();
    assertEquals(revisions(2, last), r.revisions, "every revision once, in order");
    assertTrue(w.isSynced());
    store.put(put("a", "live"));
    assertEquals(last + 1, r.revisions.get(r.revisions.size() - 1));
    assertEquals(revisions(2, last + 1), r.revisions);
    assertEquals(1, hub.slowReport().caughtUp());
  }

  @Test
  void aCatchUpThatIsRefusedHalfwayResumesWhereItStopped() {
    Recorder r = new Recorder();
    WatchHub.Watcher w = hub.watch(b("a"), ByteString.EMPTY, 0, false, false, false, r);
    r.refusing = true;
    for (int i = 0; i < 2500; i++) {
      store.put(put("a", "v" + i)); // 2..2501
    }
    r.refusing = false;
    r.acceptBeforeRefusing = 1; // the client reads one response, then stalls again
    w.resume();
    assertEquals(revisions(2, 1001), r.revisions);
    assertEquals(List.of(2501L), r.headers);
    assertFalse(w.isSynced());
    store.put(put("a", "more")); // 2502, while slow
    r.acceptBeforeRefusing = Integer.MAX_VALUE;
    w.resume();
    assertEquals(revisions(2, 2502), r.revisions);
    assertEquals(List.of(2501L, 2502L, 2502L), r.headers);
    assertEquals(List.of(1000, 1000, 501), r.responses.stream().map(List::size).toList());
    assertTrue(w.isSynced());
  }

  /** etcd 3.4's syncWatchers: up to 1000 revisions a response, headed by the current one. */
  @Test
  void aPastStartGetsUpTo1000RevisionsPerResponseHeadedByTheCurrentRevision() {
    for (int i = 0; i < 1200; i++) { // 2..1201: a txn of two puts, so two events a revision
      store.txn(TxnRequest.newBuilder().addSuccess(op(put("a" + i % 7, "x")))
          .addSuccess(op(put("b" + i % 5, "y"))).build());
    }
    store.deleteRange(del("a0", "")); // 1202
    Recorder r = watch("\0", "\0", 1, true);
    assertEquals(List.of(1202L, 1202L), r.headers);
    assertEquals(List.of(2000, 401), r.responses.stream().map(List::size).toList());
    assertEquals(revisions(2, 1202), r.revisions);
    store.put(put("c", "live")); // 1203: live, alone, headed by its own revision
    assertEquals(List.of(1202L, 1202L, 1203L), r.headers);
    assertEquals(1, r.responses.get(2).size());
  }

  @Test
  void aCatchUpWithNothingToSendGoesLiveSilently() {
    store.put(put("b", "1"));
    store.put(put("b", "2"));
    Recorder r = watch("a", "", 1, false);
    assertTrue(r.headers.isEmpty());
    store.put(put("a", "1")); // 4
    assertEquals(List.of(4L), r.headers);
  }

  /** As etcd: revisions count before the NOPUT/NODELETE filters, which apply to the batch. */
  @Test
  void batchesCountRevisionsInTheKeyRangeBeforeTheTypeFilters() {
    for (int i = 0; i < 1500; i++) { // a put and a delete of "a" each time: 2..3001
      store.put(put("a", "v"));
      store.deleteRange(del("a", ""));
    }
    Recorder noPut = new Recorder();
    hub.watch(b("a"), ByteString.EMPTY, 2, false, true, false, noPut);
    assertEquals(List.of(500, 500, 500), noPut.responses.stream().map(List::size).toList());
    assertEquals(List.of(3001L, 3001L, 3001L), noPut.headers);
  }

  /** Beyond etcd: a response ends once it holds about a MiB of events. */
  @Test
  void aBatchEndsOnceItHoldsBatchBytes() {
    String big = "x".repeat(100 * 1024);
    for (int i = 0; i < 25; i++) {
      store.put(put("a", big)); // 2..26
    }
    Recorder r = watch("a", "", 2, false);
    assertEquals(revisions(2, 26), r.revisions);
    assertEquals(List.of(11, 11, 3), r.responses.stream().map(List::size).toList());
    for (List<Event> response : r.responses.subList(0, 2)) {
      long bytes = response.stream().mapToLong(Event::getSerializedSize).sum();
      long last = response.get(response.size() - 1).getSerializedSize();
      assertTrue(bytes - last < WatchHub.BATCH_BYTES && bytes >= WatchHub.BATCH_BYTES, "" + bytes);
    }
  }

  @Test
  void aSlowWatcherWhoseNextRevisionWasCompactedIsCancelledWithTheCompactRevision() {
    Recorder r = new Recorder();
    WatchHub.Watcher w = hub.watch(b("a"), ByteString.EMPTY, 0, false, false, false, r);
    r.refusing = true;
    store.put(put("a", "1")); // 2: refused
    store.put(put("a", "2")); // 3
    store.put(put("a", "3")); // 4
    store.compact(CompactionRequest.newBuilder().setRevision(4).build());
    r.refusing = false;
    w.resume();
    assertEquals(4, r.compactedAt);
    assertTrue(w.isCanceled());
    assertTrue(r.revisions.isEmpty());
    assertEquals(0, hub.watcherCount());
  }

  @Test
  void aSlowWatcherCompactedExactlyAtItsNextRevisionStillCatchesUp() {
    Recorder r = new Recorder();
    WatchHub.Watcher w = hub.watch(b("a"), ByteString.EMPTY, 0, false, false, false, r);
    r.refusing = true;
    store.put(put("a", "1")); // 2: refused, needs 2
    store.put(put("a", "2")); // 3
    store.compact(CompactionRequest.newBuilder().setRevision(2).build()); // etcd: from == compact is fine
    r.refusing = false;
    w.resume();
    assertEquals(List.of(2L, 3L), r.revisions);
    assertEquals(-1, r.compactedAt);
  }

  @Test
  void catchUpRunsOnTheExecutorOnceQueuedAndLiveDeliveryGoesOnMeanwhile() {
    List<Runnable> queued = new ArrayList<>();
    hub.setCatchUpExecutor(queued::add);
    Recorder slow = new Recorder();
    Recorder live = new Recorder();
    WatchHub.Watcher w = hub.watch(b("a"), ByteString.EMPTY, 0, false, false, false, slow);
    hub.watch(b("a"), ByteString.EMPTY, 0, false, false, false, live);
    slow.refusing = true;
    store.put(put("a", "1")); // 2
    slow.refusing = false;
    w.resume();
    w.resume(); // one catch-up at a time
    assertEquals(1, queued.size());
    store.put(put("a", "2")); // 3: live for one, skipped for the slow one
    assertEquals(List.of(2L, 3L), live.revisions);
    assertTrue(slow.revisions.isEmpty());
    queued.remove(0).run();
    assertEquals(List.of(2L, 3L), slow.revisions);
    assertTrue(w.isSynced());
  }

  @Test
  void aPastStartIsCaughtUpOnTheExecutorNotOnTheCallersThread() {
    store.put(put("a", "1")); // 2
    List<Runnable> queued = new ArrayList<>();
    hub.setCatchUpExecutor(queued::add);
    Recorder r = watch("a", "", 2, false);
    assertTrue(r.revisions.isEmpty());
    store.put(put("a", "2")); // 3, while the replay waits
    queued.remove(0).run();
    assertEquals(List.of(2L, 3L), r.revisions);
  }

  @Test
  void progressNamesTheRevisionEveryGivenWatcherHasHadAllEventsUpTo() {
    Recorder r = new Recorder();
    WatchHub.Watcher w = hub.watch(b("a"), ByteString.EMPTY, 0, false, false, false, r);
    store.put(put("a", "1")); // 2
    r.refusing = true;
    store.put(put("a", "2")); // 3: refused
    store.put(put("b", "1")); // 4
    long[] at = {-1};
    hub.progress(List.of(w), rev -> at[0] = rev);
    assertEquals(2, at[0]);
    r.refusing = false;
    w.resume();
    hub.progress(List.of(w), rev -> at[0] = rev);
    assertEquals(4, at[0]);
  }

  /** etcd 3.4's watchableStore.progress: a synced watcher only, at the current revision. */
  @Test
  void periodicProgressGoesToSyncedWatchersOnlyAtTheCurrentRevision() {
    Recorder r = new Recorder();
    WatchHub.Watcher w = hub.watch(b("a"), ByteString.EMPTY, 0, false, false, false, r);
    store.put(put("b", "1")); // 2: not ours, but the current revision
    List<Long> heard = new ArrayList<>();
    hub.progressIfSynced(w, heard::add);
    assertEquals(List.of(2L), heard);
    r.refusing = true;
    store.put(put("a", "1")); // 3: refused, so the watcher is catching up
    hub.progressIfSynced(w, heard::add);
    assertEquals(List.of(2L), heard, "a watcher catching up hears no progress");
    r.refusing = false;
    w.resume();
    hub.progressIfSynced(w, heard::add);
    assertEquals(List.of(2L, 3L), heard);
  }

  @Test
  void cancellingASlowWatcherEndsItAndResumeDoesNothing() {
    Recorder r = new Recorder();
    WatchHub.Watcher w = hub.watch(b("a"), ByteString.EMPTY, 0, false, false, false, r);
    r.refusing = true;
    store.put(put("a", "1"));
    w.cancel();
    r.refusing = false;
    w.resume();
    assertTrue(r.revisions.isEmpty());
    assertEquals(0, hub.watcherCount());
  }
}
