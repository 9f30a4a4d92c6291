package raft.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoopbackPortsTest {

  @Test
  void portsAreLoopbackBelowTheEphemeralRangeBindableAndNeverHandedOutTwice() throws Exception {
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      InetSocketAddress a = LoopbackPorts.next();
      assertEquals("127.0.0.1", a.getHostString());
      int port = a.getPort();
      assertTrue(port >= LoopbackPorts.FIRST && port <= LoopbackPorts.LAST, a::toString);
      assertTrue(seen.add(a.getPort()), "handed out twice: " + a);
      try (ServerSocket s = new ServerSocket(a.getPort(), 1, a.getAddress())) {
        assertEquals(a.getPort(), s.getLocalPort());
      }
    }
  }

  @Test
  void aPortSomeoneHoldsIsSkipped() throws Exception {
    InetSocketAddress probe = LoopbackPorts.next();
    // Hold the port after the probe's, so the next call must skip it.
    int held = probe.getPort() == LoopbackPorts.LAST ? LoopbackPorts.FIRST : probe.getPort() + 1;
    try (ServerSocket s = new ServerSocket(held, 1, probe.getAddress())) {
      InetSocketAddress next = LoopbackPorts.next();
      assertTrue(next.getPort() != held, "gave out a held port: " + next);
    }
  }
}
