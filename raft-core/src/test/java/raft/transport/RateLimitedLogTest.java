package raft.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RateLimitedLogTest {

  @Test
  @DisplayName("a burst per window, a note when it is spent, the count when the next one opens")
  void burstNoteAndCount() {
    List<String> out = new ArrayList<>();
    AtomicLong now = new AtomicLong();
    RateLimitedLog log = new RateLimitedLog(out::add, 3, 10, now::get);
    for (int i = 0; i < 8; i++) {
      log.accept("refused " + i);
    }
    assertEquals(List.of("refused 0", "refused 1", "refused 2",
        "peer port: 3 refusals in 10 s; counting, not logging, the rest until the next window"),
        out);
    out.clear();
    now.addAndGet(12_000_000_000L);
    log.accept("refused 8");
    assertEquals(List.of("peer port: 5 more refusals like the above were not logged in the last"
        + " 12 s", "refused 8"), out);
  }
}
