package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NettyMemoryTest {
  private final Map<String, String> saved = new HashMap<>();

  @BeforeEach
  void clear() {
    for (String p : NettyMemory.PROPERTIES) {
      saved.put(p, System.getProperty(p));
      System.clearProperty(p);
    }
    saved.put(NettyMemory.SWITCH, System.getProperty(NettyMemory.SWITCH));
    System.clearProperty(NettyMemory.SWITCH);
  }

  @AfterEach
  void restore() {
    saved.forEach((k, v) -> {
      if (v == null) {
        System.clearProperty(k);
      } else {
        System.setProperty(k, v);
      }
    });
  }

  @Test
  void oneArenaEachUnlessTheCommandLineSaysOtherwise() {
    System.setProperty("io.netty.allocator.numHeapArenas", "3");
    NettyMemory.applyDefaults();
    assertEquals("1", System.getProperty("io.netty.allocator.numDirectArenas"));
    assertEquals("3", System.getProperty("io.netty.allocator.numHeapArenas"));
    assertEquals("1",
        System.getProperty("io.grpc.netty.shaded.io.netty.allocator.numDirectArenas"));
  }

  @Test
  void theSwitchSetsTheCountOrLeavesNettyAlone() {
    System.setProperty(NettyMemory.SWITCH, "2");
    NettyMemory.applyDefaults();
    assertEquals("2", System.getProperty("io.grpc.netty.shaded.io.netty.allocator.numHeapArenas"));
    clear();
    System.setProperty(NettyMemory.SWITCH, "default");
    NettyMemory.applyDefaults();
    assertNull(System.getProperty("io.netty.allocator.numDirectArenas"));
    System.setProperty(NettyMemory.SWITCH, "lots");
    assertThrows(NumberFormatException.class, NettyMemory::applyDefaults);
  }
}
