package raft.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.Errors;
import java.net.BindException;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;

/**
 * Which Netty transport the member's sockets use: Linux's epoll (native, from netty-all's
 * linux-x86_64 library) or Java's NIO selector, chosen by the system property
 * {@value #PROPERTY} = {@code auto} (the default: epoll where it loads, else NIO),
 * {@code epoll} (refused where it does not load) or {@code nio}.
 *
 * <p>Why epoll: it is edge-triggered and skips the JDK selector's key sets and locks, so each
 * wake-up costs fewer instructions; on this 2-core machine every instruction on an event loop is
 * one a member or the load generator does not get. The peer transport, the metrics and cluster
 * view servers use this class; the gRPC client port uses the same choice through its shaded
 * copy of Netty (raft.kv.server.GrpcServerTuning).
 */
public final class NettyIo {

  /** The system property that chooses the transport. */
  public static final String PROPERTY = "raftkv.transport";

  /** The two transports. */
  public enum Kind { EPOLL, NIO }

  private static volatile NettyIo current;

  private final Kind kind;
  private final boolean explicit;
  private final String reason;

  private NettyIo(Kind kind, boolean explicit, String reason) {
    this.kind = kind;
    this.explicit = explicit;
    this.reason = reason;
  }

  /** The choice the system property makes (read once per JVM). */
  public static NettyIo current() {
    NettyIo c = current;
    if (c == null) {
      synchronized (NettyIo.class) {
        if (current == null) {
          current = of(System.getProperty(PROPERTY));
        }
        c = current;
      }
    }
    return c;
  }

  /** The choice for a value of the property ({@code null} = auto) on this machine. */
  public static NettyIo of(String value) {
    return choose(value, Epoll::isAvailable, Epoll::unavailabilityCause);
  }

  /**
   * The choice for a value of the property ({@code null} = auto), given whether epoll loads.
   *
   * @throws IllegalArgumentException for a value other than auto, epoll or nio, or for epoll
   *     where it does not load
   */
  public static NettyIo choose(String value, Supplier<Boolean> epollAvailable,
      Supplier<Throwable> epollCause) {
    String v = value == null ? "auto" : value.trim().toLowerCase(Locale.ROOT);
    switch (v) {
      case "nio":
        return new NettyIo(Kind.NIO, true, PROPERTY + "=nio");
      case "epoll":
        if (!epollAvailable.get()) {
          throw new IllegalArgumentException(PROPERTY + "=epoll but epoll is unavailable: "
              + epollCause.get() + " (use auto or nio)");
        }
        return new NettyIo(Kind.EPOLL, true, PROPERTY + "=epoll");
      case "auto":
      case "":
        return epollAvailable.get()
            ? new NettyIo(Kind.EPOLL, false, PROPERTY + "=auto, epoll available")
            : new NettyIo(Kind.NIO, false,
                PROPERTY + "=auto, epoll unavailable: " + epollCause.get());
      default:
        throw new IllegalArgumentException(PROPERTY + "=" + value
            + " is not a transport: expected auto, epoll or nio");
    }
  }

  /** Which transport. */
  public Kind kind() {
    return kind;
  }

  /**
   * Whether the property named the transport ({@code epoll} or {@code nio}) rather than leaving
   * it to {@code auto}: another copy of Netty (gRPC's shaded one) must then refuse, not fall
   * back, where the named transport does not load.
   */
  public boolean explicit() {
    return explicit;
  }

  /** One line: the transport and why it was chosen. */
  public String describe() {
    return "Netty transport " + kind.name().toLowerCase(Locale.ROOT) + " (" + reason + ")";
  }

  /**
   * Whether a failed bind means the address is taken or not local: NIO says so with a
   * {@link BindException}, epoll with a native error carrying Linux's errno (EADDRINUSE 98,
   * EADDRNOTAVAIL 99), so callers keep one clear message on both transports.
   */
  public static boolean isBindFailure(Throwable cause) {
    if (cause instanceof BindException) {
      return true;
    }
    if (cause instanceof Errors.NativeIoException n) {
      int errno = Math.abs(n.expectedErr());
      return errno == 98 || errno == 99;
    }
    return false;
  }

  /** An event loop group of {@code threads} threads for this transport. */
  public EventLoopGroup group(int threads, ThreadFactory threadFactory) {
    return new MultiThreadIoEventLoopGroup(threads, threadFactory, ioHandlers());
  }

  /** The I/O handlers of this transport's event loops. */
  public IoHandlerFactory ioHandlers() {
    return kind == Kind.EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
  }

  /** The listening socket's channel class, for a ServerBootstrap on {@link #group}. */
  public Class<? extends ServerChannel> serverChannel() {
    return kind == Kind.EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  /** The dialing socket's channel class, for a Bootstrap on {@link #group}. */
  public Class<? extends SocketChannel> socketChannel() {
    return kind == Kind.EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }
}
