package raft.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import raft.pb.Message;
import raft.pb.PeerFrame;

/**
 * One outbound connection to one peer (a member has two per peer: messages and snapshots).
 *
 * <p>{@link #send} runs on any thread: it only enqueues and, once per burst, schedules a drain on
 * the link's event loop. Everything else (connection state, backoff, writing) is confined to
 * that event loop, so it needs no locks. Draining writes every queued frame the socket will take
 * and flushes once, which batches the many small messages of one Raft Ready into few syscalls.
 */
final class PeerLink {
  static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
  static final long REPORT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private enum State { IDLE, CONNECTING, UP, DOWN }

  private final long peerId;
  private final InetSocketAddress address;
  private final EventLoop loop;
  private final PeerFrame hello;
  private final boolean snapshots;
  private final PeerTransport.Options options;
  private final LongConsumer unreachable;
  private final Runnable removed;
  private final PeerStats stats;
  private final Bootstrap bootstrap;

  // Shared between senders and the event loop.
  private final Queue<Object> pending = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger(); // Invariant: >= pending.size()
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private volatile boolean closed;
  // System.nanoTime() when the connection came up; UP_NEVER while it is not up.
  private volatile long upSinceNanos = UP_NEVER;
  static final long UP_NEVER = Long.MIN_VALUE;
  static final long TLS_CONFIRM_NANOS = 900_000_000L;
  private final boolean tls;
  // Confined to `loop`: the TLS error that closed the last connection (an alert from a peer
  // that refused this member's certificate), for the outage line.
  private Throwable tlsFailure;
  private final AtomicLong lastReport = new AtomicLong(System.nanoTime() - REPORT_INTERVAL_NANOS);

  // Confined to `loop`.
  private State state = State.IDLE;
  private Channel channel;
  private long backoffNanos = MIN_BACKOFF_NANOS;
  private long retryAt;
  private long upSince;
  private boolean outageLogged;

  PeerLink(long peerId, InetSocketAddress address, EventLoop loop, PeerFrame hello,
      boolean snapshots, PeerTransport.Options options, LongConsumer unreachable,
      Runnable removed, PeerStats stats, SslContext tls) {
    this.peerId = peerId;
    this.removed = removed;
    this.stats = stats;
    this.address = address;
    this.loop = loop;
    this.hello = hello;
    this.snapshots = snapshots;
    this.options = options;
    this.unreachable = unreachable;
    this.tls = tls != null;
    this.bootstrap = new Bootstrap().group(loop).channel(options.io().socketChannel())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 1000)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (tls != null) { // checks the peer's certificate against the host dialed
              ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), address.getHostString(),
                  address.getPort()));
              ch.pipeline().addLast("tls-failures", new PeerHandshakes.Quiet(
                  failure -> tlsFailure = failure));
            }
            Frames.addEncoder(ch.pipeline());
            // The acceptor writes back only to say this member was removed (a tiny frame).
            Frames.addDecoder(ch.pipeline(), Frames.HELLO_MAX_BYTES);
            if (snapshots) {
              ch.pipeline().addLast("chunks", new ChunkedWriteHandler());
            }
            ch.pipeline().addLast("link", new LinkHandler());
          }
        });
  }

  /** Any thread, never blocks: queue the message, or drop it and report the peer. */
  void send(Message m) {
    if (closed) {
      return;
    }
    Object frame;
    int size = m.getSerializedSize();
    if (snapshots && size > options.snapshotChunkBytes()) {
      frame = new SnapshotChunks(m, options.snapshotChunkBytes());
    } else if (size > options.maxFrameBytes() - PeerTransport.FRAME_OVERHEAD) {
      options.log().accept("dropped " + m.getType() + " to member " + who() + ": " + size
          + " bytes do not fit in a frame of " + options.maxFrameBytes());
      return;
    } else {
      frame = PeerFrame.newBuilder().setMessage(m).build();
    }
    if (queued.incrementAndGet() > options.maxQueuedPerPeer()) {
      queued.decrementAndGet(); // the peer is not keeping up: shed load, Raft will retransmit
      reportUnreachable();
      return;
    }
    pending.add(frame);
    if (drainScheduled.compareAndSet(false, true)) {
      try {
        loop.execute(this::drain);
      } catch (RejectedExecutionException closing) {
        // the transport is closing; the message goes nowhere, as promised
      }
    }
  }

  private void drain() {
    drainScheduled.set(false);
    switch (state) {
      case IDLE -> connect();
      case DOWN -> {
        if (System.nanoTime() - retryAt >= 0) {
          connect();
        } else {
          dropPending();
        }
      }
      case CONNECTING -> { } // onConnect drains
      case UP -> writePending(false);
    }
  }

  private void connect() {
    state = State.CONNECTING;
    tlsFailure = null;
    ChannelFuture f = bootstrap.connect(address);
    channel = f.channel();
    f.addListener((ChannelFutureListener) this::onConnect);
    // Run after the events of the close's own event loop turn: a TLS alert that closes the
    // connection reaches the Quiet handler after the close, and the outage line should say it.
    f.channel().closeFuture().addListener((ChannelFutureListener) c -> later(() -> {
      if (c.channel() == channel && state == State.UP) { // a failed connect: onConnect reports
        Throwable why = tlsFailure;
        wentDown(why == null ? null
            : new IOException("TLS: " + PeerHandshakes.reason(why)));
      }
    }));
  }

  private void later(Runnable task) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException closing) {
      // the transport is closing: no outage to report
    }
  }

  private void onConnect(ChannelFuture f) {
    if (f.channel() != channel) {
      return;
    }
    if (!f.isSuccess()) {
      wentDown(f.cause());
      return;
    }
    if (connectedToItself(f.channel())) {
      f.channel().close(); // frees the port for the member that should listen on it
      wentDown(new IOException("nothing listens there yet; the kernel connected this"
          + " socket to itself (TCP self-connect)"));
      return;
    }
    SslHandler ssl = f.channel().pipeline().get(SslHandler.class);
    if (ssl == null) {
      up();
      return;
    }
    // Up once the handshake is done: a peer that refuses this member's certificate (or whose
    // own is refused) is an outage, logged once with the reason, like a refused connection.
    ssl.handshakeFuture().addListener(h -> {
      if (f.channel() != channel) {
        return;
      }
      if (h.isSuccess()) {
        up();
      } else {
        f.channel().close();
        wentDown(new IOException("TLS handshake failed: " + PeerHandshakes.reason(h.cause())));
      }
    });
  }

  private void up() {
    state = State.UP;
    upSince = System.nanoTime();
    upSinceNanos = upSince;
    if (outageLogged && !tls) {
      reconnected();
    }
    channel.write(hello).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    writePending(true);
  }

  private void reconnected() {
    outageLogged = false;
    options.log().accept("reconnected to member " + who() + " at " + Frames.hostPort(address)
        + (snapshots ? " (snapshots)" : ""));
  }

  private void writePending(boolean mustFlush) {
    Channel ch = channel;
    boolean wrote = false;
    Object frame;
    while (ch.isWritable() && (frame = pending.poll()) != null) {
      queued.decrementAndGet();
      ch.write(frame).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
      // Counted here, written to the connection, as etcd counts what its stream encoded: a
      // frame dropped while the peer is down or slow never left, so it is not "sent".
      stats.written(frame instanceof SnapshotChunks c ? c.message() : ((PeerFrame) frame)
          .getMessage());
      wrote = true;
    }
    if (wrote || mustFlush) {
      ch.flush(); // one flush per drain, not one per message
    }
  }

  /**
   * A connect to a loopback port that nothing listens on can pick that very port as its source
   * port when the port lies in the kernel's ephemeral range (n4 and n5 always do), and then it
   * "succeeds" by connecting to itself. Kept open, it would hold the peer's port so the peer
   * could never start. Go's net.Dial makes the same check.
   */
  static boolean connectedToItself(Channel ch) {
    return ch.localAddress() != null && ch.localAddress().equals(ch.remoteAddress());
  }

  // Unsigned: ids drawn at random for members added at runtime may have the top bit set.
  private String who() {
    return Long.toUnsignedString(peerId);
  }

  /** Stops reporting; the transport is shutting the event loops, which closes the channel. */
  void close() {
    closed = true;
  }

  /**
   * Connects if not connected (and the backoff allows): a member keeps a connection to every
   * peer, as etcd's streams do, so that "connected for a while" says the peer is alive even on
   * a follower, which sends to the leader only.
   */
  void keepConnected() {
    if (closed) {
      return;
    }
    try {
      loop.execute(() -> {
        if (!closed && (state == State.IDLE
            || (state == State.DOWN && System.nanoTime() - retryAt >= 0))) {
          connect();
        } else if (state == State.UP && outageLogged
            && System.nanoTime() - upSince >= TLS_CONFIRM_NANOS) {
          // Under TLS 1.3 the dialer's handshake is done before the peer has checked the
          // dialer's certificate: a peer that refuses it closes the connection just after. A
          // TLS link counts as back once it has stayed up a while, so such a peer is one
          // logged outage, not a line per retry.
          reconnected();
        }
      });
    } catch (RejectedExecutionException closing) {
      // the transport is closing
    }
  }

  /** The peer left the configuration (or moved): close the connection and drop the queue. */
  void shutdown() {
    closed = true;
    upSinceNanos = UP_NEVER;
    try {
      loop.execute(() -> {
        if (channel != null) {
          channel.close();
        }
        while (pending.poll() != null) {
          queued.decrementAndGet();
        }
      });
    } catch (RejectedExecutionException closing) {
      // the transport is closing: the channel goes with it
    }
  }

  /** When the connection came up (System.nanoTime), or {@link #UP_NEVER} if it is not up. */
  long upSince() {
    return upSinceNanos;
  }

  private void wentDown(Throwable cause) {
    if (closed) {
      return;
    }
    long now = System.nanoTime();
    if (state == State.UP && now - upSince > MAX_BACKOFF_NANOS) {
      backoffNanos = MIN_BACKOFF_NANOS; // a healthy connection broke: retry promptly
    }
    channel = null;
    state = State.DOWN;
    upSinceNanos = UP_NEVER;
    retryAt = now + backoffNanos;
    backoffNanos = Math.min(backoffNanos * 2, MAX_BACKOFF_NANOS);
    if (!outageLogged) {
      outageLogged = true;
      options.log().accept("member " + who() + " at " + Frames.hostPort(address)
          + (snapshots ? " (snapshots)" : "") + " is unreachable ("
          + (cause == null ? "connection closed" : cause.getMessage())
          + "); dropping its messages, retrying with backoff up to 1 s");
    }
    reportUnreachable();
    dropPending();
  }

  private void dropPending() {
    boolean dropped = false;
    while (pending.poll() != null) {
      queued.decrementAndGet();
      dropped = true;
    }
    if (dropped) {
      reportUnreachable();
    }
  }

  /** At most once per REPORT_INTERVAL: a dead peer would otherwise be reported per message. */
  private void reportUnreachable() {
    long now = System.nanoTime();
    long last = lastReport.get();
    if (now - last >= REPORT_INTERVAL_NANOS && lastReport.compareAndSet(last, now)) {
      unreachable.accept(peerId);
    }
  }

  /** Outbound connections are write-only; this watches their life and writability. */
  private final class LinkHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof PeerFrame f && f.hasRemoved() && !closed) {
        options.log().accept("member " + who() + " says this member was removed from the"
            + " cluster");
        removed.run();
      }
      ReferenceCountUtil.release(msg); // nothing else is expected back
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel() == channel && state == State.UP && ctx.channel().isWritable()) {
        writePending(false);
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      OutOfMemory.report(cause);
      ctx.close(); // closeFuture reports the outage
    }
  }
}
