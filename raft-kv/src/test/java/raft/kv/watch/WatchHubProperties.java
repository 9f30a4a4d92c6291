package raft.kv.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import raft.kv.api.etcdserverpb.DeleteRangeRequest;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.mvccpb.Event;
import raft.kv.mvcc.MvccStore;
import raft.kv.mvcc.MvccStoreProperties;

/**
 * Watchers started at random points (replaying from random past revisions) receive exactly the
 * model's event log from their start revision: replay then live, no gaps, no duplicates.
 */
class WatchHubProperties {
  @Property(tries = 100)
  void watchersSeeTheModelsEventLog(
      @ForAll @Size(max = 25) List<@IntRange(min = 0, max = 99) Integer> writes,
      @ForAll @Size(max = 4) List<@IntRange(min = 0, max = 25) Integer> watchAfterStep,
      @ForAll @Size(max = 4) List<@IntRange(min = 0, max = 30) Integer> startRevisions) {
    MvccStore store = new MvccStore();
    WatchHub hub = new WatchHub(store);
    MvccStoreModelAccess model = new MvccStoreModelAccess();
    List<WatchHubTest.Recorder> recorders = new ArrayList<>();
    List<Long> starts = new ArrayList<>();
    List<Long> revisionAtWatch = new ArrayList<>();
    for (int step = 0; step <= writes.size(); step++) {
      for (int w = 0; w < watchAfterStep.size() && w < startRevisions.size(); w++) {
        if (watchAfterStep.get(w) == step) {
          long start = Math.min(startRevisions.get(w), store.currentRevision());
          WatchHubTest.Recorder r = new WatchHubTest.Recorder();
          hub.watch(MvccStoreProperties.bs("\0"), MvccStoreProperties.bs("\0"), start, true, false,
              false, r);
          recorders.add(r);
          starts.add(start > 0 ? start : store.currentRevision() + 1);
          revisionAtWatch.add(store.currentRevision());
        }
      }
      if (step < writes.size()) {
        model.apply(store, writes.get(step));
      }
    }
    for (int i = 0; i < recorders.size(); i++) {
      List<Event> expected = model.eventsFrom(starts.get(i));
      assertEquals(expected, recorders.get(i).events, "watcher from " + starts.get(i));
      checkGrouping(recorders.get(i));
      checkFirstResponseIsTheWholeCatchUp(expected, recorders.get(i), revisionAtWatch.get(i));
    }
  }

  /**
   * Fewer than 1,000 revisions behind, the first response carries every event from the start
   * up to the revision current at the watch, headed by that revision (etcd's syncWatchers).
   */
  private static void checkFirstResponseIsTheWholeCatchUp(List<Event> expected,
      WatchHubTest.Recorder r, long revisionAtWatch) {
    List<Event> past = expected.stream()
        .filter(e -> e.getKv().getModRevision() <= revisionAtWatch).toList();
    if (!past.isEmpty()) {
      assertEquals(past, r.responses.get(0));
      assertEquals(revisionAtWatch, r.headers.get(0));
    }
  }

  /**
   * etcd's grouping rule: every response's header revision is at or above its events'
   * revisions, which ascend and span at most {@link WatchHub#BATCH_REVISIONS} revisions; a
   * response of several revisions is a catch-up, headed by a revision at or above its last.
   */
  static void checkGrouping(WatchHubTest.Recorder r) {
    for (int i = 0; i < r.responses.size(); i++) {
      List<Event> evs = r.responses.get(i);
      long header = r.headers.get(i);
      long last = 0;
      int revisions = 0;
      for (Event e : evs) {
        long rev = e.getKv().getModRevision();
        assertTrue(rev >= last, "events out of revision order in " + evs);
        revisions += rev > last ? 1 : 0;
        last = rev;
      }
      assertTrue(header >= last, "header " + header + " below event revision " + last);
      assertTrue(revisions <= WatchHub.BATCH_REVISIONS, revisions + " revisions in a response");
    }
  }

  /**
   * Watchers whose sinks refuse for a while (a client that stops reading), resumed at random
   * points, while the store is written and compacted: once every sink accepts again and is
   * resumed, each watcher has had exactly the model's events from its start, in order, each
   * once; or a gap-free prefix of them and then a compaction cancel, which is due only if the
   * revision it needed next is below the compact revision.
   *
   * <p>Steps: 0-99 a write; 100-109 compact a few revisions back; 110-129 a watcher's sink
   * starts or stops refusing; 130-149 a watcher is resumed.
   */
  @Property(tries = 200)
  void slowWatchersGetEveryEventOnceInOrderOrACompactionCancel(
      @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 149) Integer> steps,
      @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 0, max = 60) Integer> watchAtStep,
      @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 0, max = 30) Integer> starts) {
    MvccStore store = new MvccStore();
    WatchHub hub = new WatchHub(store);
    MvccStoreModelAccess model = new MvccStoreModelAccess();
    List<WatchHubTest.Recorder> recorders = new ArrayList<>();
    List<WatchHub.Watcher> watchers = new ArrayList<>();
    List<Long> from = new ArrayList<>();
    for (int step = 0; step <= steps.size(); step++) {
      for (int w = 0; w < watchAtStep.size() && w < starts.size(); w++) {
        if (watchAtStep.get(w) == step) {
          long start = Math.min(starts.get(w), store.currentRevision());
          WatchHubTest.Recorder r = new WatchHubTest.Recorder();
          watchers.add(hub.watch(MvccStoreProperties.bs("\0"), MvccStoreProperties.bs("\0"),
              start, false, false, false, r));
          recorders.add(r);
          from.add(start > 0 ? start : store.currentRevision() + 1);
        }
      }
      if (step < steps.size()) {
        slowStep(steps.get(step), store, model, recorders, watchers);
      }
    }
    for (int i = 0; i < recorders.size(); i++) {
      recorders.get(i).refusing = false;
      watchers.get(i).resume();
      checkAgainstModel(model.eventsFrom(from.get(i)), recorders.get(i), from.get(i),
          store.compactRevision());
      checkGrouping(recorders.get(i));
    }
  }

  private static void slowStep(int code, MvccStore store, MvccStoreModelAccess model,
      List<WatchHubTest.Recorder> recorders, List<WatchHub.Watcher> watchers) {
    if (code < 100) {
      model.apply(store, code);
    } else if (code < 110) {
      long rev = store.currentRevision() - (code - 100);
      if (rev > store.compactRevision()) {
        store.compact(raft.kv.api.etcdserverpb.CompactionRequest.newBuilder().setRevision(rev)
            .build());
      }
    } else if (!recorders.isEmpty() && code < 130) {
      WatchHubTest.Recorder r = recorders.get(code % recorders.size());
      r.refusing = !r.refusing;
    } else if (!recorders.isEmpty()) {
      watchers.get(code % watchers.size()).resume();
    }
  }

  // Every revision writes at least one key and the watchers watch every key, so the revision
  // a watcher needs next is the one after its last event (or its start).
  private static void checkAgainstModel(List<Event> model, WatchHubTest.Recorder r, long from,
      long compactRevision) {
    List<Event> expected = model.stream().map(e -> e.toBuilder().clearPrevKv().build()).toList();
    if (r.compactedAt < 0) {
      assertEquals(expected, r.events, "watcher from " + from);
      return;
    }
    assertEquals(expected.subList(0, r.events.size()), r.events, "prefix, watcher from " + from);
    long needed = r.revisions.isEmpty() ? from : r.revisions.get(r.revisions.size() - 1) + 1;
    assertTrue(needed < r.compactedAt, "cancelled at compact revision " + r.compactedAt
        + " though it needed only " + needed);
    assertTrue(r.compactedAt <= compactRevision, "no compaction at " + r.compactedAt);
  }

  /** Drives the store and the MVCC model with the same small writes. */
  static final class MvccStoreModelAccess {
    private final raft.kv.mvcc.ModelHandle model = new raft.kv.mvcc.ModelHandle();

    void apply(MvccStore store, int code) {
      String key = List.of("a", "ab", "b", "c", "d").get(code % 5);
      if (code >= 80) {
        DeleteRangeRequest d = DeleteRangeRequest.newBuilder().setKey(MvccStoreProperties.bs(key))
            .setRangeEnd(MvccStoreProperties.bs(code >= 90 ? "\0" : "")).build();
        store.deleteRange(d);
        model.delete(d);
      } else {
        PutRequest p = PutRequest.newBuilder().setKey(MvccStoreProperties.bs(key))
            .setValue(MvccStoreProperties.bs("v" + code)).build();
        store.put(p);
        model.put(p);
      }
    }

    List<Event> eventsFrom(long rev) {
      return model.eventsFrom(rev);
    }
  }
}
