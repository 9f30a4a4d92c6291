package raft.kv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The open-loop schedule's arithmetic, with made-up clock values. */
class OpenLoopTest {

  @Test
  void requestsAreSpacedByOneOverRate() {
    OpenLoop s = new OpenLoop(5_000, 1000); // 1000/s: one per millisecond
    assertEquals(5_000, s.dueAt(0));
    assertEquals(5_000 + 1_000_000, s.dueAt(1));
    assertEquals(5_000 + 1_000_000_000L, s.dueAt(1000));
  }

  @Test
  void aRateThatDoesNotDivideASecondDoesNotDrift() {
    OpenLoop s = new OpenLoop(0, 3); // 333,333,333.3 ns apart
    assertEquals(333_333_333, s.dueAt(1));
    assertEquals(666_666_667, s.dueAt(2));
    // after a day of requests the schedule is still exactly rate * seconds
    assertEquals(86_400L * 1_000_000_000L, s.dueAt(3L * 86_400));
  }

  @Test
  void dueByCountsRequestsWhoseTimeHasCome() {
    OpenLoop s = new OpenLoop(1_000, 1000);
    assertEquals(0, s.dueBy(999));
    assertEquals(1, s.dueBy(1_000)); // request 0 is due at the start
    assertEquals(1, s.dueBy(1_000_999));
    assertEquals(2, s.dueBy(1_001_000));
    assertEquals(1001, s.dueBy(1_000_001_000));
  }

  @Test
  void dueByAgreesWithDueAtForAnAwkwardRate() {
    OpenLoop s = new OpenLoop(17, 7.3);
    for (long i = 0; i < 5000; i++) {
      assertEquals(i + 1, s.dueBy(s.dueAt(i)), "at request " + i);
      assertEquals(i, s.dueBy(s.dueAt(i) - 1), "just before request " + i);
    }
  }

  @Test
  void refusesARateThatIsNotPositive() {
    assertThrows(IllegalArgumentException.class, () -> new OpenLoop(0, 0));
    assertThrows(IllegalArgumentException.class, () -> new OpenLoop(0, Double.NaN));
  }
}
