package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {
  @Test
  void readsWhatGosParseDurationReads() {
    assertEquals(Duration.ofMinutes(10), GoDuration.parse("--f", "10m"));
    assertEquals(Duration.ofMillis(500), GoDuration.parse("--f", "500ms"));
    assertEquals(Duration.ofMinutes(90), GoDuration.parse("--f", "1h30m"));
    assertEquals(Duration.ofMillis(1500), GoDuration.parse("--f", "1.5s"));
    assertEquals(Duration.ofNanos(2_300), GoDuration.parse("--f", "2us300ns"));
    assertEquals(Duration.ofNanos(7_000), GoDuration.parse("--f", "7\u00b5s"));
    assertEquals(Duration.ZERO, GoDuration.parse("--f", "0"));
    assertEquals(Duration.ofNanos(1), GoDuration.parse("--f", "1.5ns"), "Go truncates");
    assertEquals(Duration.ofNanos(1_500_001), GoDuration.parse("--f", "1.5000019ms"));
  }

  @Test
  void refusesWhatGoRefusesNamingTheFlag() {
    for (String bad : new String[] {"", "10", "m", "1.2.3s", "-1s", "1d", "1 s",
        "3000000h"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> GoDuration.parse("--some-flag", bad), bad);
      assertTrue(e.getMessage().startsWith("--some-flag '" + bad + "'"), e.getMessage());
    }
  }
}
