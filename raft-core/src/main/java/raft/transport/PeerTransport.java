package raft.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import com.google.protobuf.ByteString;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import raft.pb.Hello;
import raft.pb.MembersAnswer;
import raft.pb.MembersQuery;
import raft.pb.Message;
import raft.pb.MessageType;
import raft.pb.PeerFrame;

/**
 * The Raft peer transport: TCP between members, over Netty.
 *
 * <h2>Framing</h2>
 * Every connection carries frames: a 4-byte big-endian length, then that many bytes of one
 * serialized {@code raftpb.PeerFrame} (a oneof of {@code Hello}, {@code Message} and
 * {@code SnapshotChunk}, see {@code transport.proto}). The length counts the payload only; a
 * frame larger than {@link Options#maxFrameBytes} is refused by the receiver, which logs one
 * line naming the remote address and closes that connection. So are bytes that do not parse as
 * a PeerFrame (say, an HTTP client that dialled the peer port by mistake). Other connections
 * are unaffected. Before its Hello a connection may send frames of a few KiB only
 * ({@code Frames.HELLO_MAX_BYTES}): the frame splitter keeps a frame's bytes until it is whole,
 * so its limit is the memory a connection can make the member hold, and a stranger must not get
 * {@code maxFrameBytes} of it (a few such connections would exhaust the direct memory).
 *
 * <h2>Handshake</h2>
 * Connections are one-way: the dialler writes, the acceptor reads. A member therefore holds an
 * outbound connection to every peer and accepts one from each. The first frame is a
 * {@code Hello{cluster_id, from}}. A wrong cluster id closes the connection with a log line (two
 * clusters on overlapping ports must not vote in each other's elections); afterwards every
 * message must carry {@code from} equal to the Hello's, or it is dropped, so one member cannot
 * speak for another by mistake. A connection that says no Hello within
 * {@link Options#helloTimeout} is closed, and at most {@link Options#maxWaitingHellos}
 * connections wait for theirs: one more closes the oldest waiting. A Hello from a member id not
 * among {@code peers} is refused, and a member may hold four connections at once: a fifth
 * closes its oldest (see {@code HelloGate}). Refusals are logged in one line each, at most ten
 * per ten seconds.
 *
 * <h2>Snapshots and chunking</h2>
 * InstallSnapshot (§7, Figure 13) travels on a second connection per peer, so a snapshot of many
 * megabytes in flight never queues ahead of heartbeats and appends, which keep the leader's
 * authority and the followers' election timers alive. A MsgSnap larger than
 * {@link Options#snapshotChunkBytes} is serialized once and streamed as {@code SnapshotChunk}s
 * (term, index, byte offset, data; the last carries {@code done} and the CRC32C of the whole
 * serialized Message), paced by the socket through Netty's {@code ChunkedWriteHandler}. The
 * receiver concatenates them in order, checks the CRC and only then delivers one Message; a
 * mismatch or a gap is logged and the snapshot dropped: the leader will send it again.
 *
 * <h2>Connecting, backoff and queues</h2>
 * A connection is opened on the first send to a peer, and a message connection that is not
 * open is opened every {@link #KEEP_CONNECTED_MILLIS} ms even with nothing to send: etcd keeps
 * streams to every peer, and {@link #connectedSince} (its strict reconfiguration check) must
 * mean "alive" on a follower too, which sends to the leader only. Messages wait in a per-peer
 * queue (at most {@link Options#maxQueuedPerPeer}) while it connects or while the socket is not
 * writable; they are written in a batch and flushed once per event-loop turn. If the connect fails or an open
 * connection breaks, the peer is down: queued and new messages are dropped and the peer is
 * reported {@code unreachable} (at most once per 100 ms), until the next send after the backoff
 * delay tries again. The delay starts at 50 ms and doubles to 1 s, and resets when a connection
 * that lived longer than that breaks. Dropping is safe because Raft retransmits (§5.3); the
 * unreachable report lets the leader fall back to probing instead of streaming into the void.
 *
 * <h2>Membership</h2>
 * The peers change with the configuration ({@link #updatePeers}): a new member is dialled, a
 * removed one's connections both ways are closed and its Hellos answered with {@code Removed},
 * on which it stops ({@link #onRemoved}). A member joining a running cluster first asks a peer
 * who is in it ({@link #queryMembers}: a {@code MembersQuery} instead of a Hello, answered with
 * one {@code MembersAnswer}, the owner's registry, then the connection closes).
 *
 * <h2>Partitions</h2>
 * {@link #cut} simulates a network partition inside the transport: messages to a cut peer are
 * dropped on send and messages from it are dropped on receipt, so the partition holds both ways
 * even when only one side was told. Connections stay open; traffic just vanishes, like packets
 * in a black hole, and nobody is reported unreachable. An empty set heals.
 *
 * <h2>Threads</h2>
 * One boss thread accepts; two daemon worker threads run every connection, in and out. Each
 * outbound connection lives on one worker, where all its state is confined. {@link #send},
 * {@link #cut} and {@link #cutPeers} may be called from any thread and never block;
 * {@code inbound} and {@code unreachable} are called on worker threads and must not block.
 */
public final class PeerTransport implements Transport {

  /**
   * Tuning and the log sink.
   *
   * @param maxFrameBytes largest frame payload accepted or sent (default 64 MiB)
   * @param snapshotChunkBytes MsgSnap larger than this is streamed in chunks of this size
   *     (default 1 MiB)
   * @param maxQueuedPerPeer messages waiting per peer connection before new ones are dropped
   *     (default 4096)
   * @param helloTimeout an accepted connection that has not said its Hello by then is closed
   *     (default 10 s)
   * @param maxWaitingHellos accepted connections that may wait for their Hello at once (default
   *     64); one more closes the oldest of them
   * @param log receives one line per notable event; called from any thread
   * @param tls TLS on the peer port and on the connections this member dials (etcd's https
   *     peer URLs), or null for plain TCP
   * @param io the Netty transport (epoll or NIO; default: the one {@link NettyIo#current}
   *     chooses from the system property raftkv.transport)
   */
  public record Options(int maxFrameBytes, int snapshotChunkBytes, int maxQueuedPerPeer,
      Duration helloTimeout, int maxWaitingHellos, Consumer<String> log, PeerTls tls,
      NettyIo io) {
    public Options {
      Objects.requireNonNull(log, "log");
      Objects.requireNonNull(io, "io");
      Objects.requireNonNull(helloTimeout, "helloTimeout");
      if (maxQueuedPerPeer <= 0 || snapshotChunkBytes <= 0 || maxWaitingHellos <= 0
          || helloTimeout.toMillis() <= 0) {
        throw new IllegalArgumentException("maxQueuedPerPeer, snapshotChunkBytes,"
            + " maxWaitingHellos and helloTimeout must be > 0");
      }
      if (snapshotChunkBytes > maxFrameBytes - FRAME_OVERHEAD) {
        throw new IllegalArgumentException("a snapshot chunk of " + snapshotChunkBytes
            + " bytes does not fit in a frame of " + maxFrameBytes);
      }
    }

    public Options(int maxFrameBytes, int snapshotChunkBytes, int maxQueuedPerPeer,
        Consumer<String> log) {
      this(maxFrameBytes, snapshotChunkBytes, maxQueuedPerPeer, Duration.ofSeconds(10), 64, log,
          null, NettyIo.current());
    }

    public static Options defaults(Consumer<String> log) {
      return new Options(64 << 20, 1 << 20, 4096, log);
    }

    /** The same options with another frame limit (the memory one peer connection may hold). */
    public Options withMaxFrameBytes(int bytes) {
      return new Options(bytes, snapshotChunkBytes, maxQueuedPerPeer, helloTimeout,
          maxWaitingHellos, log, tls, io);
    }

    /** The same options with another Hello deadline and number of waiting places. */
    public Options withHelloGate(Duration timeout, int maxWaiting) {
      return new Options(maxFrameBytes, snapshotChunkBytes, maxQueuedPerPeer, timeout,
          maxWaiting, log, tls, io);
    }

    /** The same options with TLS on the peer connections (null: plain TCP). */
    public Options withTls(PeerTls peerTls) {
      return new Options(maxFrameBytes, snapshotChunkBytes, maxQueuedPerPeer, helloTimeout,
          maxWaitingHellos, log, peerTls, io);
    }

    /** The same options on another Netty transport. */
    public Options withIo(NettyIo nettyIo) {
      return new Options(maxFrameBytes, snapshotChunkBytes, maxQueuedPerPeer, helloTimeout,
          maxWaitingHellos, log, tls, nettyIo);
    }
  }

  /** Room for a chunk's other fields and the PeerFrame envelope around its data. */
  static final int FRAME_OVERHEAD = 128;

  private final long selfId;
  private final long clusterId;
  private final InetSocketAddress listen;
  // Replaced whole by updatePeers (under this object's lock); read by any thread.
  private volatile Map<Long, InetSocketAddress> peers;
  private final Options options;
  // Made once from options.tls() (null: plain TCP); the files are read and checked by then.
  private final PeerTls.Contexts tls;
  private final PeerHandshakes handshakes;
  private volatile Set<Long> cut = Set.of();
  private volatile Set<Long> removed = Set.of();
  private volatile Supplier<ByteString> membersAnswer = () -> ByteString.EMPTY;
  private volatile Runnable removedListener = () -> { };
  private HelloGate gate;
  private LongConsumer report;
  private PeerFrame helloFrame;

  // Written once by start(), read by any thread after `started` is set.
  private volatile boolean started;
  private volatile boolean closed;
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private Channel server;
  private final PeerStats stats = new PeerStats();
  // Changed under this object's lock (start, updatePeers, close); read by send on any thread.
  private final Map<Long, PeerLink> links = new ConcurrentHashMap<>();
  private final Map<Long, PeerLink> snapshotLinks = new ConcurrentHashMap<>();

  public PeerTransport(long selfId, long clusterId, InetSocketAddress listen,
      Map<Long, InetSocketAddress> peers, Options options) {
    this.selfId = selfId;
    this.clusterId = clusterId;
    this.listen = Objects.requireNonNull(listen, "listen");
    this.peers = Map.copyOf(peers);
    this.options = Objects.requireNonNull(options, "options");
    this.tls = options.tls() == null ? null : options.tls().load();
    this.handshakes = new PeerHandshakes(options.log());
  }

  /**
   * Binds the listen address and prepares (but does not open) the connections to the peers.
   *
   * @throws UncheckedIOException if the address cannot be bound (e.g. the port is in use)
   * @throws IllegalStateException if called twice or after {@link #close}
   */
  @Override
  public synchronized void start(Consumer<Message> inbound, LongConsumer unreachable) {
    if (started || closed) {
      throw new IllegalStateException("PeerTransport " + selfId + " already started or closed");
    }
    // Once per member, not per JVM: in-process clusters (tests) have a member per transport.
    options.log().accept("member " + Long.toUnsignedString(selfId) + ": "
        + options.io().describe());
    boss = options.io().group(1, new DefaultThreadFactory("raft-peer-accept-" + selfId, true));
    workers = options.io().group(2, new DefaultThreadFactory("raft-peer-" + selfId, true));
    try {
      server = bind(m -> {
        stats.received(m);
        inbound.accept(m);
      });
    } catch (RuntimeException e) {
      shutdownGroups();
      throw e;
    }
    report = guarded(unreachable);
    Hello hello = Hello.newBuilder().setClusterId(clusterId).setFrom(selfId).build();
    helloFrame = PeerFrame.newBuilder().setHello(hello).build();
    peers.forEach(this::link);
    workers.scheduleAtFixedRate(() -> links.values().forEach(PeerLink::keepConnected),
        KEEP_CONNECTED_MILLIS, KEEP_CONNECTED_MILLIS, TimeUnit.MILLISECONDS);
    started = true;
  }

  /** How often idle or broken message connections are (re)opened. */
  static final long KEEP_CONNECTED_MILLIS = 1000;

  // Opens (lazily, on the first send) the two connections to one peer.
  private void link(long id, InetSocketAddress address) {
    if (id == selfId) {
      return;
    }
    Runnable gone = () -> removedListener.run();
    io.netty.handler.ssl.SslContext client = tls == null ? null : tls.client();
    links.put(id, new PeerLink(id, address, workers.next(), helloFrame, false, options, report,
        gone, stats, client));
    snapshotLinks.put(id, new PeerLink(id, address, workers.next(), helloFrame, true, options,
        report, gone, stats, client));
  }

  /**
   * The configuration changed: from now on the peers are {@code now} (this member may be among
   * them; it is skipped). A member no longer among them has its connections closed, both ways,
   * and its messages are dropped; a new one is dialled on the first message to it; one whose
   * address changed is dialled anew there. A Hello from a member in {@code removedNow} is
   * answered with {@code Removed}, which stops it. Any thread; cheap when nothing changed.
   */
  public synchronized void updatePeers(Map<Long, InetSocketAddress> now, Set<Long> removedNow) {
    Map<Long, InetSocketAddress> before = peers;
    peers = Map.copyOf(now);
    removed = Set.copyOf(removedNow);
    stats.retain(peers.keySet());
    if (!started || closed) {
      return;
    }
    for (long id : before.keySet()) {
      if (!Objects.equals(before.get(id), peers.get(id))) {
        unlink(id);
      }
    }
    peers.forEach((id, address) -> {
      if (!links.containsKey(id)) {
        link(id, address);
      }
    });
    gate.update(peers.keySet(), removed).forEach(Channel::close);
    if (!others(before.keySet()).equals(others(peers.keySet()))) {
      options.log().accept("peers now " + new TreeSet<>(peers.keySet()).stream()
          .filter(id -> id != selfId).map(id -> Long.toHexString(id) + "="
              + Frames.hostPort(peers.get(id))).toList());
    }
  }

  private Set<Long> others(Set<Long> ids) {
    Set<Long> out = new TreeSet<>(ids);
    out.remove(selfId);
    return out;
  }

  private void unlink(long id) {
    PeerLink l = links.remove(id);
    PeerLink s = snapshotLinks.remove(id);
    if (l != null) {
      l.shutdown();
    }
    if (s != null) {
      s.shutdown();
    }
  }

  /** The peers this transport knows now (this member included if it was given). */
  public Map<Long, InetSocketAddress> peers() {
    return peers;
  }

  /**
   * Since when (System.nanoTime) the connection carrying messages to {@code peer} has been
   * up; empty if it is not up now (etcd's transport.ActiveSince, for its strict
   * reconfiguration check).
   */
  public OptionalLong connectedSince(long peer) {
    PeerLink l = links.get(peer);
    long since = l == null ? PeerLink.UP_NEVER : l.upSince();
    return since == PeerLink.UP_NEVER ? OptionalLong.empty() : OptionalLong.of(since);
  }

  /** What a {@code MembersQuery} is answered with (the server's registry); any thread. */
  public void answerMembersWith(Supplier<ByteString> members) {
    membersAnswer = Objects.requireNonNull(members);
  }

  /** Called (on a transport thread, must not block) when a peer says this member was removed. */
  public void onRemoved(Runnable listener) {
    removedListener = Objects.requireNonNull(listener);
  }

  /**
   * Asks the member listening at {@code peer} who is in its cluster, as a member joining a
   * running cluster does before it starts (etcd asks its peers' /members). Blocking.
   *
   * @throws IOException if the peer cannot be reached or does not answer within {@code timeout}
   */
  public static MembersAnswer queryMembers(InetSocketAddress peer, Duration timeout)
      throws IOException {
    return queryMembers(peer, timeout, null);
  }

  /**
   * The same over TLS when {@code tls} is not null (https peer URLs): the joining member checks
   * the peer's certificate and presents its own, as its Raft connections will.
   */
  public static MembersAnswer queryMembers(InetSocketAddress peer, Duration timeout,
      PeerTls.Contexts tls) throws IOException {
    try (Socket s = tls == null ? plainSocket(peer, timeout)
        : PeerTls.connect(tls.client(), peer, (int) timeout.toMillis())) {
      byte[] query = PeerFrame.newBuilder().setMembersQuery(MembersQuery.getDefaultInstance())
          .build().toByteArray();
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.writeInt(query.length);
      out.write(query);
      out.flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      int length = in.readInt();
      if (length < 0 || length > 64 << 20) {
        throw new IOException("peer " + Frames.hostPort(peer) + " answered a frame of "
            + length + " bytes");
      }
      byte[] answer = in.readNBytes(length);
      PeerFrame f = PeerFrame.parseFrom(answer);
      if (!f.hasMembersAnswer()) {
        throw new IOException("peer " + Frames.hostPort(peer) + " answered " + f.getBodyCase());
      }
      return f.getMembersAnswer();
    }
  }

  private static Socket plainSocket(InetSocketAddress peer, Duration timeout)
      throws IOException {
    Socket s = new Socket();
    try {
      s.connect(peer, (int) timeout.toMillis());
      s.setSoTimeout((int) timeout.toMillis());
      return s;
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  private Channel bind(Consumer<Message> inbound) {
    gate = new HelloGate(options.maxWaitingHellos(), options.helloTimeout(),
        peers.keySet(), options.log());
    gate.update(peers.keySet(), removed);
    ServerBootstrap b = new ServerBootstrap()
        .group(boss, workers)
        .channel(options.io().serverChannel())
        // A member that restarts at once must get its port back although the connections its
        // last run closed linger in TIME_WAIT on it (Go's listeners, etcd's, set this too).
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (tls != null) {
              handshakes.addServer(ch, tls.server());
            }
            Frames.CappedFrameDecoder frames = Frames.addDecoder(ch.pipeline(),
                options.maxFrameBytes());
            Frames.addEncoder(ch.pipeline()); // for a MembersAnswer or a Removed
            ch.pipeline().addLast(new InboundHandler(selfId, clusterId, inbound, () -> cut,
                frames, gate, options.log(), () -> membersAnswer.get()));
          }
        });
    ChannelFuture f = b.bind(listen).awaitUninterruptibly();
    if (!f.isSuccess()) {
      Throwable cause = f.cause();
      String where = Frames.hostPort(listen);
      String msg = NettyIo.isBindFailure(cause)
          ? "peer port " + where + " is in use (or not a local address): " + cause.getMessage()
          : "cannot listen on peer port " + where + ": " + cause;
      throw new UncheckedIOException(msg, cause instanceof IOException io ? io
          : new IOException(cause));
    }
    options.log().accept("member " + Long.toUnsignedString(selfId) + " listening for peers on "
        + Frames.hostPort(f.channel().localAddress()));
    return f.channel();
  }


  private LongConsumer guarded(LongConsumer unreachable) {
    return id -> {
      try {
        unreachable.accept(id);
      } catch (RuntimeException e) {
        options.log().accept("unreachable callback failed for member " + id + ": " + e);
      }
    };
  }

  /** Bytes and round trips per peer, for the member's metrics. */
  public PeerStats stats() {
    return stats;
  }

  /** The bound listen address (useful when started on port 0). */
  public InetSocketAddress localAddress() {
    if (!started) {
      throw new IllegalStateException("not started");
    }
    return (InetSocketAddress) server.localAddress();
  }

  /** Never blocks, never throws: drops the message if the peer is unknown, cut or down. */
  @Override
  public void send(Message m) {
    if (!started || closed) {
      return;
    }
    try {
      long to = m.getTo();
      if (cut.contains(to)) {
        return;
      }
      // Figure 13: snapshots travel beside, not ahead of, heartbeats and appends.
      PeerLink link = (m.getType() == MessageType.MSG_SNAP ? snapshotLinks : links).get(to);
      if (link == null) {
        return;
      }
      link.send(m);
    } catch (RuntimeException e) {
      options.log().accept("dropped " + m.getType() + " to member " + m.getTo() + ": " + e);
    }
  }

  /**
   * Partitions this member from {@code peers}: from now on traffic to and from them is dropped.
   * Replaces the previous set; an empty set heals. Any thread; takes effect for the next
   * message sent or received.
   */
  public void cut(Set<Long> peers) {
    Set<Long> next = Set.copyOf(peers);
    Set<Long> previous = cut;
    cut = next;
    if (!next.equals(previous)) {
      options.log().accept(next.isEmpty() ? "partition healed: talking to every peer"
          : "partition: dropping all traffic to and from members " + new TreeSet<>(next));
    }
  }

  /** The peers currently cut off (an immutable snapshot). */
  public Set<Long> cutPeers() {
    return cut;
  }

  /** Closes every connection and stops the threads; idempotent, waits up to a few seconds. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    links.values().forEach(PeerLink::close);
    snapshotLinks.values().forEach(PeerLink::close);
    if (server != null) {
      server.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    }
    shutdownGroups();
  }

  /** The listening socket's channel class (tests: which Netty transport it runs on). */
  synchronized Class<?> listenerType() {
    return server == null ? null : server.getClass();
  }

  private void shutdownGroups() {
    for (EventLoopGroup g : new EventLoopGroup[] {boss, workers}) {
      if (g != null) {
        g.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS);
      }
    }
    for (EventLoopGroup g : new EventLoopGroup[] {boss, workers}) {
      if (g != null) {
        g.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
      }
    }
  }
}
