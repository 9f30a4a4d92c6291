package raft.transport;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import raft.pb.Message;
import raft.pb.MessageType;
import raft.pb.PeerFrame;

/** A PeerTransport wired to queues the test can wait on, and helpers for raw frames. */
final class TestPeers implements AutoCloseable {
  static final long CLUSTER = 0xC0FFEEL;
  static final long WAIT_SECONDS = 10;

  final long id;
  final InetSocketAddress address;
  final BlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
  final BlockingQueue<Long> unreachable = new LinkedBlockingQueue<>();
  final BlockingQueue<String> logs = new LinkedBlockingQueue<>();
  final PeerTransport transport;

  /** The Netty transport members started from now on use (null: the system property's). */
  static volatile NettyIo io;

  TestPeers(long id, long clusterId, InetSocketAddress address,
      Map<Long, InetSocketAddress> peers, int chunkBytes) {
    this(id, clusterId, address, peers, chunkBytes, 4096);
  }

  TestPeers(long id, long clusterId, InetSocketAddress address,
      Map<Long, InetSocketAddress> peers, int chunkBytes, int maxQueued) {
    this(id, clusterId, address, peers, o -> new PeerTransport.Options(64 << 20, chunkBytes,
        maxQueued, o.log()));
  }

  /** A member whose options are the defaults as changed by {@code tweak}. */
  TestPeers(long id, long clusterId, InetSocketAddress address,
      Map<Long, InetSocketAddress> peers, UnaryOperator<PeerTransport.Options> tweak) {
    this.id = id;
    this.address = address;
    PeerTransport.Options o = tweak.apply(PeerTransport.Options.defaults(logs::add));
    if (io != null) {
      o = o.withIo(io);
    }
    transport = new PeerTransport(id, clusterId, address, peers, o);
  }

  /** Builds and starts a member with tweaked options. */
  static TestPeers start(long id, Map<Long, InetSocketAddress> peers,
      UnaryOperator<PeerTransport.Options> tweak) {
    TestPeers p = new TestPeers(id, CLUSTER, peers.get(id), peers, tweak);
    p.transport.start(p.inbox::add, p.unreachable::add);
    return p;
  }

  /** Builds and starts a member of the test cluster. */
  static TestPeers start(long id, Map<Long, InetSocketAddress> peers) {
    return start(id, CLUSTER, peers, 1 << 20);
  }

  static TestPeers start(long id, long clusterId, Map<Long, InetSocketAddress> peers,
      int chunkBytes) {
    TestPeers p = new TestPeers(id, clusterId, peers.get(id), peers, chunkBytes);
    p.transport.start(p.inbox::add, p.unreachable::add);
    return p;
  }

  /** Loopback addresses for members 1..n, on ports no other test server is given. */
  static Map<Long, InetSocketAddress> addresses(int n) {
    Map<Long, InetSocketAddress> m = new java.util.HashMap<>();
    for (long i = 1; i <= n; i++) {
      m.put(i, LoopbackPorts.next());
    }
    return m;
  }

  static Message msg(MessageType type, long from, long to, long index) {
    return Message.newBuilder().setType(type).setFrom(from).setTo(to).setTerm(1)
        .setIndex(index).build();
  }

  Message take() throws InterruptedException {
    Message m = inbox.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertNotNull(m, "member " + id + " received nothing within " + WAIT_SECONDS + " s");
    return m;
  }

  /** Waits for a log line matching {@code p}, failing with every line seen if none comes. */
  String awaitLog(Predicate<String> p) throws InterruptedException {
    List<String> seen = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (true) {
      String line = logs.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (line == null) {
        fail("no matching log line at member " + id + "; saw " + seen);
      }
      seen.add(line);
      if (p.test(line)) {
        return line;
      }
    }
  }

  /** Writes one frame as a peer would: 4-byte big-endian length, then the PeerFrame. */
  static void writeFrame(DataOutputStream out, PeerFrame f) throws IOException {
    out.writeInt(f.getSerializedSize());
    f.writeTo(out);
    out.flush();
  }

  @Override
  public void close() {
    transport.close();
  }
}
