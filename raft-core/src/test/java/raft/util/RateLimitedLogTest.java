package raft.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RateLimitedLogTest {

  @Test
  @DisplayName("a burst per window, then only a count, logged when the next window opens")
  void burstThenCount() {
    List<String> out = new ArrayList<>();
    AtomicLong now = new AtomicLong();
    RateLimitedLog log = new RateLimitedLog(out::add, "refusals", 3, 10, now::get);
    for (int i = 0; i < 8; i++) {
      log.accept("refused " + i);
    }
    assertEquals(List.of("refused 0", "refused 1", "refused 2"), out);
    out.clear();
    now.addAndGet(12_000_000_000L);
    log.accept("refused 8");
    assertEquals(List.of("5 more refusals were not logged in the last 12 s", "refused 8"), out);
  }

  @Test
  @DisplayName("nothing suppressed, nothing counted")
  void quietWindowsSayNothingExtra() {
    List<String> out = new ArrayList<>();
    AtomicLong now = new AtomicLong();
    RateLimitedLog log = new RateLimitedLog(out::add, "refusals", 1, 1, now::get);
    log.accept("a");
    now.addAndGet(2_000_000_000L);
    log.accept("b");
    assertEquals(List.of("a", "b"), out);
  }
}
