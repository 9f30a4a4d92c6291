package raft.kv.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HistoryMarksTest {

  @Test
  void marksStayBoundedAndFindTheOldestRevisionKeepingATarget() {
    HistoryMarks marks = new HistoryMarks();
    // Ten million revisions of 2 KiB of history each: 20 GB made, marks thinned as it grows.
    for (long rev = 2; rev < 10_000_002; rev++) {
      marks.beforeRevision(rev);
      marks.add(2048);
      assertTrue(marks.size() < 2 * HistoryMarks.MARKS, "marks at revision " + rev);
    }
    long made = marks.made();
    // The spacing is now 1/MARKS-th of the history made, or less: a target of half of it is
    // met within two spacings.
    long keep = made / 2;
    long rev = marks.oldestKeeping(keep);
    long left = 2048 * (10_000_002 - rev);
    assertTrue(left <= keep && left > keep - 2 * made / HistoryMarks.MARKS, "left " + left);
    marks.compacted(rev);
    assertTrue(marks.oldestKeeping(made) > rev, "marks the compaction passed are gone");
    assertEquals(0, marks.oldestKeeping(0), "no mark keeps nothing");
  }
}
