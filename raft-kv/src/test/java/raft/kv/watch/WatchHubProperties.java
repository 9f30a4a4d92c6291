package raft.kv.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    for (int step = 0; step <= writes.size(); step++) {
      for (int w = 0; w < watchAfterStep.size() && w < startRevisions.size(); w++) {
        if (watchAfterStep.get(w) == step) {
          long start = Math.min(startRevisions.get(w), store.currentRevision());
          WatchHubTest.Recorder r = new WatchHubTest.Recorder();
          hub.watch(MvccStoreProperties.bs("\0"), MvccStoreProperties.bs("\0"), start, true, false,
              false, r);
          recorders.add(r);
          starts.add(start > 0 ? start : store.currentRevision() + 1);
        }
      }
      if (step < writes.size()) {
        model.apply(store, writes.get(step));
      }
    }
    for (int i = 0; i < recorders.size(); i++) {
      List<Event> expected = model.eventsFrom(starts.get(i));
      assertEquals(expected, recorders.get(i).events, "watcher from " + starts.get(i));
    }
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
