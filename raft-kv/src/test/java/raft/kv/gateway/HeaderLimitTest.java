package raft.kv.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Headers (or a request line) over the decoder's limit are answered as Go's server answers
 * headers over its limit: 431, then the connection closes; a malformed request stays a 400.
 */
class HeaderLimitTest {
  @Test
  void tooLongHeadersAre431() throws Exception {
    assertEquals("HTTP/1.1 431 Request Header Fields Too Large", firstLine(
        "POST /v3/none HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n"));
  }

  @Test
  void aTooLongRequestLineIs431() throws Exception {
    assertEquals("HTTP/1.1 431 Request Header Fields Too Large", firstLine(
        "POST /v3/" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"));
  }

  @Test
  void aMalformedRequestIs400() throws Exception {
    assertEquals("HTTP/1.1 400 Bad Request", firstLine(
        "POST /v3/none HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n"));
  }

  private static String firstLine(String request) throws Exception {
    try (BareGateway g = new BareGateway(1 << 20, Gateway.REQUEST_WAIT);
        Socket s = new Socket("127.0.0.1", g.port())) {
      s.setSoTimeout(20_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      return new BufferedReader(new InputStreamReader(s.getInputStream(),
          StandardCharsets.UTF_8)).readLine();
    }
  }
}
