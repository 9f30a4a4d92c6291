package raft.kv.server;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.IoHandlerFactory;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Supplier;
import raft.transport.NettyIo;

/**
 * How the client port's gRPC server runs: which Netty transport (gRPC's shaded copy of Netty,
 * chosen by the same {@code raftkv.transport} property as the peer transport), how many event
 * loop threads, HTTP/2 flow control, calls per connection, and where handlers run. Each knob is
 * a system property so one build can be measured both ways:
 *
 * <ul>
 *   <li>{@code raftkv.grpc.workerThreads} (default: as many as the cores, 2 here; 0 = Netty's
 *       default of twice the cores, which gRPC's own shared group used before this class). On
 *       this 2-core machine 2 workers took 0.75-0.97x the members' CPU per 1000 requests of 4
 *       (put-64 and linearizable range-64, two alternating rounds each): fewer threads to wake
 *       and switch between on cores the members and the clients share;
 *   <li>{@code raftkv.grpc.flowControlWindow} bytes (default 0 = gRPC's 1 MiB);
 *   <li>{@code raftkv.grpc.maxConcurrentCallsPerConnection} (default 0 = unlimited, as etcd's
 *       MaxConcurrentStreams of 2^32-1);
 *   <li>{@code raftkv.grpc.executor} = {@code direct} (default: handlers never block, so they
 *       run on the event loop), {@code pool} (a fixed pool of {@code raftkv.grpc.poolThreads},
 *       default 2) or {@code supplier} (grpc-java's ServerCallExecutorSupplier: only KV Range
 *       calls go to that pool, the rest run on the event loop).
 * </ul>
 *
 * <p>The event loop groups are shared by every client port in the JVM (one per transport and
 * worker count) and never shut down, as gRPC's own default groups are shared: a member is one
 * JVM, and tests that start many servers in one JVM do not pay a group per server.
 */
final class GrpcServerTuning {

  static final String WORKER_THREADS = "raftkv.grpc.workerThreads";
  static final String FLOW_CONTROL_WINDOW = "raftkv.grpc.flowControlWindow";
  static final String MAX_CALLS_PER_CONNECTION = "raftkv.grpc.maxConcurrentCallsPerConnection";
  static final String EXECUTOR = "raftkv.grpc.executor";
  static final String POOL_THREADS = "raftkv.grpc.poolThreads";

  record Groups(EventLoopGroup boss, EventLoopGroup workers) { }

  /** A shared group's transport and worker count (0 = Netty's default). */
  private record GroupKey(NettyIo.Kind kind, int workers) { }

  private static final Map<GroupKey, Groups> GROUPS = new HashMap<>();
  private static ExecutorService pool;

  private GrpcServerTuning() { }

  /**
   * Configures {@code b} from the system properties on {@code io}'s transport and logs one line
   * saying how.
   *
   * @throws IllegalArgumentException for a property that is not a number or a known value, or
   *     for an explicit epoll that gRPC's shaded copy cannot load
   */
  static NettyServerBuilder apply(NettyServerBuilder b, NettyIo io, Consumer<String> log) {
    Transport t = transport(io, Epoll::isAvailable, Epoll::unavailabilityCause);
    NettyIo.Kind kind = t.kind();
    String why = t.why();
    int workers = intProperty(WORKER_THREADS, Runtime.getRuntime().availableProcessors());
    Groups g = groups(kind, workers);
    b.bossEventLoopGroup(g.boss()).workerEventLoopGroup(g.workers())
        .channelType(serverChannel(kind));
    int window = intProperty(FLOW_CONTROL_WINDOW, 0);
    if (window > 0) {
      b.flowControlWindow(window);
    }
    int calls = intProperty(MAX_CALLS_PER_CONNECTION, 0);
    if (calls > 0) {
      b.maxConcurrentCallsPerConnection(calls);
    }
    String executor = executor(b);
    log.accept("client port gRPC: Netty " + kind.name().toLowerCase(Locale.ROOT) + why
        + ", worker threads " + (workers > 0 ? workers : "2x cores")
        + ", flow control window " + (window > 0 ? window : "default")
        + ", calls per connection " + (calls > 0 ? calls : "unlimited")
        + ", executor " + executor);
    return b;
  }

  /** The client port's transport, and what to add to the log line about it. */
  record Transport(NettyIo.Kind kind, String why) { }

  /**
   * The transport of gRPC's shaded Netty for {@code io}'s choice, given whether the shaded
   * copy's epoll library loads (it is a second native library, which can fail where netty-all's
   * loaded). Under {@code auto} it falls back to NIO and says why; an explicit
   * {@code raftkv.transport=epoll} is refused, as NettyIo refuses it for the unshaded copy: the
   * operator asked for epoll, and a silent NIO client port would be measured as epoll.
   *
   * @throws IllegalArgumentException for an explicit epoll that gRPC's copy cannot load
   */
  static Transport transport(NettyIo io, Supplier<Boolean> shadedEpoll,
      Supplier<Throwable> cause) {
    // asked only for epoll: under nio the shaded native library is never loaded
    if (io.kind() != NettyIo.Kind.EPOLL || shadedEpoll.get()) {
      return new Transport(io.kind(), "");
    }
    if (io.explicit()) {
      throw new IllegalArgumentException(NettyIo.PROPERTY + "=epoll but gRPC's shaded epoll"
          + " is unavailable: " + cause.get() + " (use auto or nio)");
    }
    return new Transport(NettyIo.Kind.NIO, ", shaded epoll unavailable: " + cause.get());
  }

  private static String executor(NettyServerBuilder b) {
    String v = System.getProperty(EXECUTOR, "direct").trim().toLowerCase(Locale.ROOT);
    switch (v) {
      case "direct":
        // Handlers never block (writes and linearizable reads return futures; local reads hold
        // the store's lock for microseconds), so they run on the Netty event loop: no hand-off
        // to a thread pool per call.
        b.directExecutor();
        return v;
      case "pool":
        b.executor(pool());
        return v + " of " + intProperty(POOL_THREADS, 2);
      case "supplier":
        b.directExecutor().callExecutor(new RangeOnPool(pool()));
        return v + " (Range on a pool of " + intProperty(POOL_THREADS, 2) + ")";
      default:
        throw new IllegalArgumentException(EXECUTOR + "=" + v
            + ": expected direct, pool or supplier");
    }
  }

  /** Range calls on a pool, everything else on the caller's (direct) executor. */
  private record RangeOnPool(Executor pool) implements ServerCallExecutorSupplier {
    @Override
    public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
      return call.getMethodDescriptor().getFullMethodName().equals("etcdserverpb.KV/Range")
          ? pool : null;
    }
  }

  private static synchronized ExecutorService pool() {
    if (pool == null) {
      pool = Executors.newFixedThreadPool(intProperty(POOL_THREADS, 2),
          new DefaultThreadFactory("grpc-call", true));
    }
    return pool;
  }

  /**
   * The shared groups of {@code kind} with {@code workers} worker threads, made on first use.
   * Keyed by both, so a server asking for another worker count in the same JVM gets it (and
   * the log line tells the truth) rather than the first server's group.
   */
  static synchronized Groups groups(NettyIo.Kind kind, int workers) {
    return GROUPS.computeIfAbsent(new GroupKey(kind, workers), key -> {
      String name = "grpc-" + kind.name().toLowerCase(Locale.ROOT);
      return new Groups(
          new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(name + "-boss", true),
              handlers(kind)),
          new MultiThreadIoEventLoopGroup(workers, new DefaultThreadFactory(name + "-worker",
              true), handlers(kind)));
    });
  }

  private static IoHandlerFactory handlers(NettyIo.Kind kind) {
    return kind == NettyIo.Kind.EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
  }

  private static Class<? extends ServerChannel> serverChannel(NettyIo.Kind kind) {
    return kind == NettyIo.Kind.EPOLL ? EpollServerSocketChannel.class
        : NioServerSocketChannel.class;
  }

  static int intProperty(String name, int defaultValue) {
    String v = System.getProperty(name);
    if (v == null || v.isBlank()) {
      return defaultValue;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n < 0) {
        throw new NumberFormatException("negative");
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + "=" + v + " is not a count >= 0", e);
    }
  }
}
