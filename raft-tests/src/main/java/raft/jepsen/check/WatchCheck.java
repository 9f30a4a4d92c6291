package raft.jepsen.check;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The watch-order check: a watcher on a prefix must see every committed revision of that prefix
 * after its start, once each, in increasing order, across reconnects and leader changes (etcd's
 * watch guarantees: ordered, reliable, no duplicates). Pure; safe from any thread.
 */
public final class WatchCheck {

  private WatchCheck() {}

  /**
   * Every watcher started from the same known revision, so each must see exactly
   * {@code expectedRevisions} (the revisions committed under the prefix after that start).
   */
  public static WatchVerdict check(List<List<Long>> revisionsSeenPerWatcher,
      List<Long> expectedRevisions) {
    List<Long> starts = new ArrayList<>();
    for (int i = 0; i < revisionsSeenPerWatcher.size(); i++) {
      starts.add(Long.MIN_VALUE);
    }
    return check(revisionsSeenPerWatcher, expectedRevisions, starts);
  }

  /**
   * Watcher {@code i} started after revision {@code startRevisions.get(i)} (it asked for
   * revisions from {@code start + 1}), so it must see exactly the expected revisions above its
   * start. Watchers are numbered from 0 in the problem lines.
   */
  public static WatchVerdict check(List<List<Long>> revisionsSeenPerWatcher,
      List<Long> expectedRevisions, List<Long> startRevisions) {
    List<String> problems = new ArrayList<>();
    long events = 0;
    TreeSet<Long> expected = new TreeSet<>(expectedRevisions);
    for (int w = 0; w < revisionsSeenPerWatcher.size(); w++) {
      List<Long> seen = revisionsSeenPerWatcher.get(w);
      events += seen.size();
      checkOne(w, seen, expected.tailSet(startRevisions.get(w), false), problems);
    }
    return new WatchVerdict(revisionsSeenPerWatcher.size(), events, problems);
  }

  private static void checkOne(int w, List<Long> seen, Set<Long> expected,
      List<String> problems) {
    Set<Long> once = new HashSet<>();
    long highest = Long.MIN_VALUE;
    for (int i = 0; i < seen.size(); i++) {
      long rev = seen.get(i);
      if (!once.add(rev)) {
        problems.add("watcher " + w + ": duplicate revision " + rev + " (event #" + (i + 1) + ")");
      } else if (rev < highest) {
        problems.add("watcher " + w + ": revision " + rev + " out of order, after " + highest
            + " (event #" + (i + 1) + ")");
      }
      if (!expected.contains(rev)) {
        problems.add("watcher " + w + ": unexpected revision " + rev
            + " (not committed under the prefix after the watcher's start)");
      }
      highest = Math.max(highest, rev);
    }
    reportGaps(w, expected, once, problems);
  }

  /** One line per run of consecutive missed revisions (consecutive in the expected list). */
  private static void reportGaps(int w, Set<Long> expected, Set<Long> seen,
      List<String> problems) {
    List<Long> run = new ArrayList<>();
    for (long rev : expected) {
      if (!seen.contains(rev)) {
        run.add(rev);
        continue;
      }
      flushGap(w, run, expected.size(), problems);
    }
    flushGap(w, run, expected.size(), problems);
  }

  private static void flushGap(int w, List<Long> run, int expectedCount, List<String> problems) {
    if (run.isEmpty()) {
      return;
    }
    String revs = run.size() == 1 ? "revision " + run.get(0)
        : "revisions " + run.get(0) + ".." + run.get(run.size() - 1) + " (" + run.size() + ")";
    problems.add("watcher " + w + ": gap, missed " + revs + " of " + expectedCount
        + " expected");
    run.clear();
  }
}
