package raft.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import raft.util.RateLimitedLog;

/**
 * TLS on a peer connection, and the log of the handshakes that fail. A peer refused for its
 * certificate retries every second or so: its refusal is logged once per reason (the reason
 * names the certificate, so once per peer certificate) per {@link #WINDOW_SECONDS}, not once
 * per retry, and the connection is closed without the transport's own error lines. Since
 * anyone who reaches the port can vary the reason, distinct lines are rate limited too.
 */
final class PeerHandshakes {
  /** How long a line logged keeps its repeats quiet; then it is logged again. */
  static final long WINDOW_SECONDS = 60;
  /** Distinct lines logged per window at most; the rest are counted (RateLimitedLog). */
  static final int MAX_REASONS = 64;

  private final RateLimitedLog log;
  private final LongSupplier nanoTime;
  private final Set<String> logged = new HashSet<>();
  private long windowStart;

  PeerHandshakes(Consumer<String> log) {
    this(log, System::nanoTime);
  }

  /** @param nanoTime the clock of the windows (tests set it) */
  PeerHandshakes(Consumer<String> log, LongSupplier nanoTime) {
    this.log = new RateLimitedLog(log, "peer TLS refusals", MAX_REASONS, WINDOW_SECONDS,
        nanoTime);
    this.nanoTime = nanoTime;
    this.windowStart = nanoTime.getAsLong();
  }

  /** The accepting side: TLS first on a new connection, its failure logged here. */
  void addServer(Channel ch, SslContext server) {
    // The engine knows the dialer's address: its certificate must name it (SanCheck).
    java.net.InetSocketAddress from = (java.net.InetSocketAddress) ch.remoteAddress();
    SslHandler ssl = server.newHandler(ch.alloc(), from.getAddress().getHostAddress(),
        from.getPort());
    ch.pipeline().addFirst("tls", ssl);
    ch.pipeline().addAfter("tls", "tls-failures", new Quiet());
    ssl.handshakeFuture().addListener(f -> {
      if (!f.isSuccess()) {
        refused("peer TLS handshake from " + Frames.hostPort(ch.remoteAddress()).replaceAll(
            ":\\d+$", "") + " refused: " + reason(f.cause()));
      }
    });
  }

  /** Logs {@code line} unless the same line was logged in this window. */
  void refused(String line) {
    boolean first;
    synchronized (logged) {
      long now = nanoTime.getAsLong();
      if (now - windowStart >= WINDOW_SECONDS * 1_000_000_000L) {
        logged.clear();
        windowStart = now;
      }
      // bounded memory: past that many, every line goes to the rate limit, which counts them
      first = logged.size() >= 4 * MAX_REASONS || logged.add(line);
    }
    if (first) {
      log.accept(line);
    }
  }

  /** What went wrong, in a line: a certificate's refusal names it (see {@link CaTrust}). */
  static String reason(Throwable cause) {
    return TlsFailures.reason(cause, "plain text on a TLS port: is the other side's peer URL"
        + " http?");
  }

  /** Handshake errors end here (already logged above): closes the connection quietly. */
  static final class Quiet extends ChannelInboundHandlerAdapter {
    private final Consumer<Throwable> seen;

    Quiet() {
      this(t -> { });
    }

    /** @param seen told of each TLS failure before the close (the dialer's outage line) */
    Quiet(Consumer<Throwable> seen) {
      this.seen = seen;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (TlsFailures.isTls(cause)) {
        seen.accept(cause);
        ctx.close();
        return;
      }
      ctx.fireExceptionCaught(cause);
    }
  }
}
