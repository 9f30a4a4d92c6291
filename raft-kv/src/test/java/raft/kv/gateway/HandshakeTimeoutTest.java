package raft.kv.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * gRPC's handshake timeout counts a connection that never completes HTTP/2's handshake as
 * stuck; an HTTP/1.1 connection never does, and must stay open past it (a long watch, a
 * keep-alive connection). And a server that stops closes its HTTP/1.1 connections.
 */
class HandshakeTimeoutTest {
  private static final String REQUEST = "POST /v3/none HTTP/1.1\r\nHost: x\r\n"
      + "Content-Length: 2\r\n\r\n{}";

  @Test
  void anHttp1ConnectionOutlivesTheHandshakeTimeout() throws Exception {
    ManagedChannel nowhere = InProcessChannelBuilder.forName("nowhere").build();
    ClientPortNegotiator negotiator = new Gateway(nowhere, List.of(), null, 1 << 20)
        .negotiator();
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0),
        negotiator.credentials()).handshakeTimeout(500, TimeUnit.MILLISECONDS).build().start();
    try (Socket s = new Socket("127.0.0.1", server.getPort())) {
      s.setSoTimeout(10_000);
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
          StandardCharsets.UTF_8));
      OutputStream out = s.getOutputStream();
      out.write(REQUEST.getBytes(StandardCharsets.US_ASCII));
      assertEquals("HTTP/1.1 404 Not Found", in.readLine());
      // Not polling: waiting out a timeout, four times over, to see it pass harmlessly.
      Thread.sleep(2000);
      out.write(REQUEST.getBytes(StandardCharsets.US_ASCII));
      String line;
      int lines = 0;
      do {
        line = in.readLine(); // the rest of the first answer, then the second's status line
      } while (line != null && !line.startsWith("HTTP/1.1") && ++lines < 100);
      assertEquals("HTTP/1.1 404 Not Found", line);
      assertEquals(1, negotiator.http1Connections());
      server.shutdownNow();
      negotiator.close();
      int read = 0;
      for (int i = 0; i < 1000 && read != -1; i++) {
        read = s.getInputStream().read(); // the rest of the answer, then the close
      }
      assertEquals(-1, read);
    } finally {
      server.shutdownNow();
      nowhere.shutdownNow();
    }
  }
}
