package raft.jepsen.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import raft.jepsen.history.Op.Outcome;

/**
 * How a failed write is classified: a refused connection means the request never left, so
 * the write is FAIL (and the member nemesis, which leaves endpoints with no member behind them,
 * does not fill the history with open-ended INFO writes); a deadline stays INFO.
 */
class KvTest {
  @Test
  void aRefusedConnectionIsAFailedWriteNotAnUncertainOne() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // closed again: nobody listens there
    }
    ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
        .build();
    try {
      Kv kv = new Kv(ch, 2000, false, false);
      for (int attempt = 0; attempt < 2; attempt++) { // the first connect, then a failed channel
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
            () -> kv.write("k", "v"));
        assertTrue(Kv.neverConnected(e), e.toString());
        assertEquals(Outcome.FAIL, kv.outcomeOfWriteError(e));
      }
    } finally {
      ch.shutdownNow();
    }
    StatusRuntimeException late = Status.DEADLINE_EXCEEDED.asRuntimeException();
    assertFalse(Kv.neverConnected(late));
    StatusRuntimeException lost = Status.UNAVAILABLE.withDescription("Network closed")
        .asRuntimeException();
    assertFalse(Kv.neverConnected(lost), "a connection lost mid-call may have delivered it");
    assertEquals(Outcome.INFO, new Kv(null, 1, false, false).outcomeOfWriteError(lost));
  }

  @Test
  void anAuthRefusalOfAWriteIsAFailNothingWasApplied() {
    Kv kv = new Kv(null, 1, false, false);
    assertEquals(Outcome.FAIL, kv.outcomeOfWriteError(Status.UNAUTHENTICATED
        .withDescription("etcdserver: invalid auth token").asRuntimeException()));
    assertEquals(Outcome.FAIL, kv.outcomeOfWriteError(Status.PERMISSION_DENIED
        .withDescription("etcdserver: permission denied").asRuntimeException()));
  }
}
