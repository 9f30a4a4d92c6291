package raft.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;

/**
 * TLS on a peer connection, and the log of the handshakes that fail. A peer refused for its
 * certificate retries every second or so: its refusal is logged once per reason (the reason
 * names the certificate, so once per peer certificate), not once per retry, and the connection
 * is closed without the transport's own error lines.
 */
final class PeerHandshakes {
  /** Distinct reasons remembered; past that, new ones are no longer logged (one line says so). */
  static final int MAX_REASONS = 64;

  private final Consumer<String> log;
  private final Set<String> logged = ConcurrentHashMap.newKeySet();

  PeerHandshakes(Consumer<String> log) {
    this.log = log;
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

  /** Logs {@code line} unless the same line was logged before. */
  void refused(String line) {
    if (logged.size() >= MAX_REASONS) {
      return;
    }
    if (logged.add(line)) {
      log.accept(line + (logged.size() == MAX_REASONS
          ? " (" + MAX_REASONS + " kinds of refusal logged; no more will be)" : ""));
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
      for (Throwable t = cause; t != null; t = t.getCause()) {
        if (t instanceof SSLException) {
          seen.accept(cause);
          ctx.close();
          return;
        }
      }
      ctx.fireExceptionCaught(cause);
    }
  }
}
