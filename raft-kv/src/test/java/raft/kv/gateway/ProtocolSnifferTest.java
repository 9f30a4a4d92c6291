package raft.kv.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The first bytes' verdict: the HTTP/2 preface whole, a prefix of it, or anything else. */
class ProtocolSnifferTest {
  private static ProtocolSniffer.Verdict verdict(String first) {
    return ProtocolSniffer.verdict(Unpooled.wrappedBuffer(
        first.getBytes(StandardCharsets.ISO_8859_1)));
  }

  @Test
  void thePrefaceWholeIsHttp2() {
    assertEquals(ProtocolSniffer.Verdict.HTTP2, verdict("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
    assertEquals(ProtocolSniffer.Verdict.HTTP2,
        verdict("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\u0012\u0004")); // SETTINGS follows
  }

  @Test
  void aPrefixOfThePrefaceWaitsForMore() {
    assertEquals(ProtocolSniffer.Verdict.UNDECIDED, verdict(""));
    assertEquals(ProtocolSniffer.Verdict.UNDECIDED, verdict("P"));
    assertEquals(ProtocolSniffer.Verdict.UNDECIDED, verdict("PRI * HTTP/2.0\r\n\r\nSM\r\n\r"));
  }

  @Test
  void anythingElseIsHttp1() {
    assertEquals(ProtocolSniffer.Verdict.HTTP1, verdict("POST /v3/kv/put HTTP/1.1\r\n"));
    assertEquals(ProtocolSniffer.Verdict.HTTP1, verdict("PO")); // POST, PUT: decided at 'O'
    assertEquals(ProtocolSniffer.Verdict.HTTP1, verdict("GET /metrics HTTP/1.1\r\n"));
    assertEquals(ProtocolSniffer.Verdict.HTTP1, verdict("PRI * HTTP/1.1\r\n")); // not HTTP/2
  }
}
