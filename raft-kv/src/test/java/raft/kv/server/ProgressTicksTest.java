package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ProgressTicksTest {
  private final ProgressTicks ticks = new ProgressTicks();

  private List<Long> tick() {
    return List.copyOf(new TreeSet<>(ticks.tick()));
  }

  @Test
  void aWatcherSentEventsSkipsOneTickAsInEtcd() {
    ticks.add(1);
    ticks.add(2);
    assertEquals(List.of(1L, 2L), tick());
    ticks.sent(1);
    assertEquals(List.of(2L), tick(), "1 had events since the last tick");
    assertEquals(List.of(1L, 2L), tick(), "and is due again at the one after");
  }

  @Test
  void onlyWatchersThatAskedHearTicks() {
    ticks.add(1);
    ticks.sent(3); // no progress_notify: nothing is tracked for it
    assertEquals(List.of(1L), tick());
    ticks.remove(1);
    assertEquals(List.of(), tick());
  }
}
