package raft.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The log of refused peer handshakes: once per line per window, and again after it. */
class PeerHandshakesTest {
  private final List<String> lines = new ArrayList<>();
  private final AtomicLong now = new AtomicLong(1_000);
  private final PeerHandshakes handshakes = new PeerHandshakes(lines::add, now::get);

  private void later(long seconds) {
    now.addAndGet(seconds * 1_000_000_000L);
  }

  @Test
  void aRepeatedRefusalIsLoggedOncePerWindowAndAgainAfterIt() {
    handshakes.refused("refused: a");
    handshakes.refused("refused: a");
    later(PeerHandshakes.WINDOW_SECONDS - 1);
    handshakes.refused("refused: a");
    assertEquals(List.of("refused: a"), lines);
    later(1);
    handshakes.refused("refused: a");
    assertEquals(List.of("refused: a", "refused: a"), lines);
  }

  /** The old set kept every line for ever: past its size nothing was logged again. */
  @Test
  void manyDistinctRefusalsDoNotSilenceTheLogForGood() {
    for (int i = 0; i < 10 * PeerHandshakes.MAX_REASONS; i++) {
      handshakes.refused("refused: from 10.0.0." + i);
    }
    assertEquals(PeerHandshakes.MAX_REASONS, lines.size());
    later(PeerHandshakes.WINDOW_SECONDS);
    handshakes.refused("refused: a new one");
    assertTrue(lines.get(lines.size() - 2).contains("more peer TLS refusals were not logged"),
        lines.get(lines.size() - 2));
    assertEquals("refused: a new one", lines.get(lines.size() - 1));
  }

  @Test
  void aTlsErrorIsFoundDownTheCauseChain() {
    assertTrue(TlsFailures.isTls(new RuntimeException(new RuntimeException(
        new SSLHandshakeException("bad certificate")))));
    assertEquals(false, TlsFailures.isTls(new RuntimeException("not TLS")));
  }
}
