package raft.kv.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * An HTTP/1.1 connection that owes a request closes once it has not delivered a whole one in
 * time: one that sent half a request (a slowloris client), and an idle keep-alive one. Before,
 * both were held for ever (each with up to the body cap of memory).
 */
class RequestWaitTest {
  private static final String REQUEST = "POST /v3/none HTTP/1.1\r\nHost: x\r\n"
      + "Content-Length: 2\r\n\r\n{}";

  @Test
  void aHalfSentRequestIsClosed() throws Exception {
    assertClosedAfter(REQUEST.substring(0, 30));
  }

  @Test
  void anIdleKeepAliveConnectionIsClosed() throws Exception {
    assertClosedAfter(REQUEST); // answered (404), then nothing more
  }

  private static void assertClosedAfter(String sent) throws Exception {
    try (BareGateway g = new BareGateway(1 << 20, Duration.ofMillis(300));
        Socket s = new Socket("127.0.0.1", g.port())) {
      s.setSoTimeout(20_000); // far beyond the wait: a slow machine still sees the close
      s.getOutputStream().write(sent.getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      int read = 0;
      for (int i = 0; i < 10_000 && read != -1; i++) {
        read = in.read(); // any answer, then the close
      }
      assertEquals(-1, read);
    }
  }
}
