package raft.kv.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A request body over the cap is answered as etcd's gateway answers one its gRPC server
 * refuses (429, code 8, gRPC's text), not with Netty's bare 413; also when the client waits
 * for "100 Continue", as curl does for a body over 1 KiB.
 */
class BodyCapTest {
  private static final int MAX_REQUEST = 1024;
  // Gateway's cap: twice the request (base64, JSON) plus 1 MiB.
  private static final int CAP = 2 * MAX_REQUEST + (1 << 20);
  private static final String HEAD = "POST /v3/kv/put HTTP/1.1\r\nHost: x\r\n"
      + "Content-Type: application/json\r\nContent-Length: 5000000\r\n";

  @Test
  void anOversizedBodyGetsGrpcsError() throws Exception {
    assertTooLarge(HEAD + "\r\n");
  }

  @Test
  void anOversizedBodyAwaitingContinueGetsGrpcsError() throws Exception {
    assertTooLarge(HEAD + "Expect: 100-continue\r\n\r\n");
  }

  private static void assertTooLarge(String head) throws Exception {
    try (BareGateway g = new BareGateway(MAX_REQUEST, Gateway.REQUEST_WAIT);
        Socket s = new Socket("127.0.0.1", g.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
          StandardCharsets.UTF_8));
      assertEquals("HTTP/1.1 429 Too Many Requests", in.readLine());
      String line;
      int length = -1;
      for (int i = 0; i < 100 && !(line = in.readLine()).isEmpty(); i++) {
        if (line.toLowerCase().startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      char[] body = new char[length];
      for (int n = 0, r; n < length && (r = in.read(body, n, length - n)) > 0; ) {
        n += r;
      }
      String text = "grpc: received message larger than max (5000000 vs. " + CAP + ")";
      assertEquals("{\"error\":\"" + text + "\",\"message\":\"" + text + "\",\"code\":8}",
          new String(body));
      assertTrue(length > 0);
    }
  }
}
