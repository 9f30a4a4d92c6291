package raft.jepsen.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class WatchCheckTest {

  private static final List<Long> EXPECTED = List.of(5L, 6L, 8L, 9L, 10L, 12L);

  @Test
  void completeOrderedWatchersAreOk() {
    WatchVerdict v = WatchCheck.check(List.of(EXPECTED, EXPECTED), EXPECTED);
    assertTrue(v.ok(), v.problems().toString());
    assertEquals(2, v.watchers());
    assertEquals(12, v.events());
  }

  @Test
  void gapsAreReportedAsRanges() {
    WatchVerdict v = WatchCheck.check(List.of(EXPECTED, List.of(5L, 10L)), EXPECTED);
    assertEquals(List.of("watcher 1: gap, missed revisions 6..9 (3) of 6 expected",
        "watcher 1: gap, missed revision 12 of 6 expected"), v.problems());
  }

  @Test
  void duplicatesAreReported() {
    WatchVerdict v = WatchCheck.check(List.of(List.of(5L, 6L, 6L, 8L, 9L, 10L, 12L)), EXPECTED);
    assertEquals(List.of("watcher 0: duplicate revision 6 (event #3)"), v.problems());
  }

  @Test
  void outOfOrderIsReported() {
    WatchVerdict v = WatchCheck.check(List.of(List.of(5L, 8L, 6L, 9L, 10L, 12L)), EXPECTED);
    assertEquals(List.of("watcher 0: revision 6 out of order, after 8 (event #3)"),
        v.problems());
  }

  @Test
  void unexpectedRevisionsAreReported() {
    WatchVerdict v = WatchCheck.check(List.of(List.of(5L, 6L, 7L, 8L, 9L, 10L, 12L)), EXPECTED);
    assertFalse(v.ok());
    assertEquals(1, v.problems().size());
    assertTrue(v.problems().get(0).startsWith("watcher 0: unexpected revision 7"));
  }

  @Test
  void watchersStartingLaterOnlyOweTheRevisionsAfterTheirStart() {
    WatchVerdict v = WatchCheck.check(List.of(EXPECTED, List.of(9L, 10L, 12L),
        List.of(10L, 12L)), EXPECTED, List.of(0L, 8L, 8L));
    assertEquals(List.of("watcher 2: gap, missed revision 9 of 3 expected"), v.problems());
  }
}
