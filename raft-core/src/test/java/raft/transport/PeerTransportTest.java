package raft.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.pb.MessageType.MSG_APP;
import static raft.pb.MessageType.MSG_HEARTBEAT;
import static raft.pb.MessageType.MSG_VOTE;
import static raft.transport.TestPeers.msg;

import com.google.protobuf.ByteString;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import raft.pb.Entry;
import raft.pb.Hello;
import raft.pb.Message;
import raft.pb.MessageType;
import raft.pb.PeerFrame;

/** PeerTransport over real loopback sockets: delivery, order, reconnects, partitions, hygiene. */
@ParameterizedClass(name = "on {0}")
@ValueSource(strings = {"epoll", "nio"})
class PeerTransportTest extends OnBothTransports {

  @Test
  @DisplayName("every member says which Netty transport it runs on, once, also in one JVM")
  void eachMemberLogsItsTransport() throws Exception {
    Map<Long, InetSocketAddress> addrs = TestPeers.addresses(2);
    try (TestPeers a = TestPeers.start(1, addrs); TestPeers b = TestPeers.start(2, addrs)) {
      for (TestPeers p : List.of(a, b)) {
        String line = p.awaitLog(l -> l.contains("Netty transport"));
        assertEquals("member " + p.id + ": " + NettyIo.of(transport).describe(), line);
        assertTrue(p.logs.stream().noneMatch(l -> l.contains("Netty transport")), "once");
      }
    }
  }

  @Test
  @DisplayName("two members exchange messages both ways, in order per connection")
  void exchangeInOrder() throws Exception {
    Map<Long, InetSocketAddress> addrs = TestPeers.addresses(2);
    try (TestPeers a = TestPeers.start(1, addrs); TestPeers b = TestPeers.start(2, addrs)) {
      for (int i = 0; i < 1000; i++) {
      // the dials run on the same transport: a channel on another's event loop fails to register
      assertEquals(NettyIo.of(transport).serverChannel(), a.transport.listenerType());
        a.transport.send(msg(MSG_APP, 1, 2, i));
      }
      b.transport.send(msg(MSG_HEARTBEAT, 2, 1, 7));
      List<Long> got = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        Message m = b.take();
        assertEquals(1, m.getFrom());
        got.add(m.getIndex());
      }
      for (int i = 0; i < 1000; i++) {
        assertEquals(i, got.get(i), "message " + i + " out of order");
      }
      assertEquals(msg(MSG_HEARTBEAT, 2, 1, 7), a.take());
    }
  }

  @Test
  @DisplayName("bytes are counted per peer both ways, and a heartbeat's response times a round trip")
  void peerStatsCountBytesAndRoundTrips() throws Exception {
    Map<Long, InetSocketAddress> addrs = TestPeers.addresses(2);
    try (TestPeers a = TestPeers.start(1, addrs); TestPeers b = TestPeers.start(2, addrs)) {
      java.util.concurrent.BlockingQueue<Long> rtts =
          new java.util.concurrent.LinkedBlockingQueue<>();
      a.transport.stats().observeRoundTrips((peer, nanos) -> rtts.add(peer));
      Message hb = msg(MSG_HEARTBEAT, 1, 2, 0);
      a.transport.send(hb);
      assertEquals(hb, b.take());
      Message resp = Message.newBuilder().setType(MessageType.MSG_HEARTBEAT_RESP).setFrom(2)
          .setTo(1).build();
      b.transport.send(resp);
      assertEquals(resp, a.take());
      assertEquals(2L, rtts.poll(TestPeers.WAIT_SECONDS, TimeUnit.SECONDS));
      assertEquals(Map.of(2L, (long) hb.getSerializedSize()), a.transport.stats().sentBytes());
      assertEquals(Map.of(2L, (long) resp.getSerializedSize()),
          a.transport.stats().receivedBytes());
      assertEquals(Map.of(1L, (long) hb.getSerializedSize()), b.transport.stats().receivedBytes());
    }
  }

  @Test
  @DisplayName("a member removed from the configuration is forgotten by the peer counts")
  void removedPeerIsForgotten() throws Exception {
    Map<Long, InetSocketAddress> addrs = TestPeers.addresses(2);
    try (TestPeers a = TestPeers.start(1, addrs); TestPeers b = TestPeers.start(2, addrs)) {
      List<Long> forgotten = new java.util.concurrent.CopyOnWriteArrayList<>();
      a.transport.stats().observeRoundTrips(new PeerStats.RttObserver() {
        @Override
        public void roundTrip(long peer, long nanos) {}

        @Override
        public void forget(long peer) {
          forgotten.add(peer);
        }
      });
      a.transport.send(msg(MSG_HEARTBEAT, 1, 2, 0));
      b.take();
      b.transport.send(msg(MSG_APP, 2, 1, 0));
      a.take();
      assertEquals(Set.of(2L), a.transport.stats().sentBytes().keySet());
      a.transport.updatePeers(Map.of(1L, addrs.get(1L)), Set.of(2L));
      assertEquals(Map.of(), a.transport.stats().sentBytes());
      assertEquals(Map.of(), a.transport.stats().receivedBytes());
      assertEquals(List.of(2L), forgotten);
    }
  }

  @Test
  @DisplayName("messages dropped because the peer is down are not counted as bytes sent")
  void downPeerSendsNoBytes() throws Exception {
    Map<Long, InetSocketAddress> addrs = TestPeers.addresses(2);
    try (TestPeers a = TestPeers.start(1, addrs)) {
      for (int i = 0; i < 10; i++) {
        a.transport.send(msg(MSG_HEARTBEAT, 1, 2, i));
      }
      // Reported once the connect failed and the queued messages were dropped.
      assertEquals(2L, a.unreachable.poll(TestPeers.WAIT_SECONDS, TimeUnit.SECONDS));
      assertEquals(Map.of(), a.transport.stats().sentBytes());
    }
  }

  @Test
  @DisplayName("a down peer: send neither blocks nor throws, it is reported, and it is reached once up")
  void downPeerThenReconnect() throws Exception {
    Map<Long, InetSocketAddress> addrs = TestPeers.addresses(2);
    try (TestPeers a = TestPeers.start(1, addrs)) {
      assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
        for (int i = 0; i < 10_000; i++) {
          a.transport.send(msg(MSG_APP, 1, 2, i));
        }
      });
      assertEquals(2L, a.unreachable.poll(TestPeers.WAIT_SECONDS, TimeUnit.SECONDS));
      a.awaitLog(l -> l.contains("member 2") && l.contains("unreachable"));
      try (TestPeers b = TestPeers.start(2, addrs)) {
        // Like Raft, keep sending until one gets through: the link retries after its backoff.
        Message got = null;
        for (int i = 0; i < 200 && got == null; i++) {
          a.transport.send(msg(MSG_HEARTBEAT, 1, 2, 100 + i));
          got = b.inbox.poll(50, TimeUnit.MILLISECONDS);
        }
        assertTrue(got != null && got.getIndex() >= 100, "no message after the peer came up");
        a.transport.send(msg(MSG_APP, 1, 2, 999));
        Message m;
        do {
          m = b.take();
        } while (m.getIndex() != 999);
      }
    }
  }

  @Test
  @DisplayName("cut drops traffic both ways even if only one side is told; healing restores it")
  void cutAndHeal() throws Exception {
    Map<Long, InetSocketAddress> addrs = TestPeers.addresses(2);
    try (TestPeers a = TestPeers.start(1, addrs); TestPeers b = TestPeers.start(2, addrs)) {
      a.transport.send(msg(MSG_HEARTBEAT, 1, 2, 1));
      b.transport.send(msg(MSG_HEARTBEAT, 2, 1, 1));
      assertEquals(1, b.take().getIndex());
      assertEquals(1, a.take().getIndex());

      a.transport.cut(Set.of(2L));
      assertEquals(Set.of(2L), a.transport.cutPeers());
      a.transport.send(msg(MSG_HEARTBEAT, 1, 2, 2)); // dropped on send
      b.transport.send(msg(MSG_HEARTBEAT, 2, 1, 2)); // b was not told: dropped on receipt
      a.awaitLog(l -> l.startsWith("partition: dropping messages from member 2"));

      a.transport.cut(Set.of());
      assertEquals(Set.of(), a.transport.cutPeers());
      a.transport.send(msg(MSG_HEARTBEAT, 1, 2, 3));
      b.transport.send(msg(MSG_HEARTBEAT, 2, 1, 3));
      // One connection each way keeps order, so a message 2 not dropped would come first.
      assertEquals(3, b.take().getIndex());
      assertEquals(3, a.take().getIndex());
    }
  }

  @Test
  @DisplayName("a peer of another cluster is refused; a peer of this one is still served")
  void wrongClusterRefused() throws Exception {
    Map<Long, InetSocketAddress> addrs = TestPeers.addresses(3);
    try (TestPeers a = TestPeers.start(1, addrs);
        TestPeers stranger = TestPeers.start(3, 0xBADL, addrs, 1 << 20);
        TestPeers b = TestPeers.start(2, addrs)) {
      stranger.transport.send(msg(MSG_HEARTBEAT, 3, 1, 66));
      String line = a.awaitLog(l -> l.contains("speaks for cluster"));
      assertTrue(line.matches("peer 127\\.0\\.0\\.1:\\d+ speaks for cluster 0xbad, "
          + "this is cluster 0xc0ffee; closing"), line);
      b.transport.send(msg(MSG_HEARTBEAT, 2, 1, 7));
      assertEquals(msg(MSG_HEARTBEAT, 2, 1, 7), a.take());
      assertTrue(a.inbox.isEmpty(), "the stranger's message was delivered: " + a.inbox);
    }
  }

  @Test
  @DisplayName("garbage on the peer port closes that connection with one clear log line")
  void garbageClosesConnection() throws Exception {
    Map<Long, InetSocketAddress> addrs = TestPeers.addresses(2);
    try (TestPeers a = TestPeers.start(1, addrs); TestPeers b = TestPeers.start(2, addrs)) {
      assertGarbageRejected(a, "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(
          StandardCharsets.US_ASCII), "before its Hello, over the 4096-byte limit for a Hello");
      // A plausible length, then bytes that are no protobuf (a field with wire type 7).
      assertGarbageRejected(a, new byte[] {0, 0, 0, 3, (byte) 0xff, (byte) 0xff, 0x07},
          "not a PeerFrame");
      b.transport.send(msg(MSG_HEARTBEAT, 2, 1, 5));
      assertEquals(5, a.take().getIndex());
    }
  }

  private static void assertGarbageRejected(TestPeers a, byte[] garbage, String why)
      throws Exception {
    try (Socket s = new Socket("127.0.0.1", a.address.getPort())) {
      s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TestPeers.WAIT_SECONDS));
      new DataOutputStream(s.getOutputStream()).write(garbage);
      InputStream in = s.getInputStream();
      assertEquals(-1, in.read(), "the transport should close the connection");
      String line = a.awaitLog(l -> l.contains(":" + s.getLocalPort() + " sent"));
      assertTrue(line.startsWith("peer 127.0.0.1:" + s.getLocalPort()) && line.contains(why)
          && line.endsWith("; closing"), line);
    }
  }

  @Test
  @DisplayName("a message whose from differs from the Hello's is dropped")
  void impostorDropped() throws Exception {
    Map<Long, InetSocketAddress> addrs = TestPeers.addresses(2);
    try (TestPeers b = TestPeers.start(2, addrs);
        Socket s = new Socket("127.0.0.1", addrs.get(2L).getPort())) {
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      Hello hello = Hello.newBuilder().setClusterId(TestPeers.CLUSTER).setFrom(1).build();
      TestPeers.writeFrame(out, PeerFrame.newBuilder().setHello(hello).build());
      TestPeers.writeFrame(out, PeerFrame.newBuilder()
          .setMessage(msg(MSG_VOTE, 3, 2, 1)).build());
      TestPeers.writeFrame(out, PeerFrame.newBuilder()
          .setMessage(msg(MSG_HEARTBEAT, 1, 2, 2)).build());
      assertEquals(msg(MSG_HEARTBEAT, 1, 2, 2), b.take()); // in order: the vote was dropped
      b.awaitLog(l -> l.contains("said hello as member 1 but sent MSG_VOTE from 3"));
    }
  }

  @Test
  @DisplayName("a peer that stops reading: the queue is bounded, send never blocks, peer reported")
  void boundedQueue() throws Exception {
    Map<Long, InetSocketAddress> addrs = TestPeers.addresses(1);
    // A "peer" whose kernel accepts the connection but who never reads a byte.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      addrs.put(2L, new InetSocketAddress("127.0.0.1", silent.getLocalPort()));
      try (TestPeers a = new TestPeers(1, TestPeers.CLUSTER, addrs.get(1L), addrs, 1 << 20, 16)) {
        a.transport.start(a.inbox::add, a.unreachable::add);
        Entry big = Entry.newBuilder().setData(ByteString.copyFrom(new byte[256 << 10])).build();
        Message m = msg(MSG_APP, 1, 2, 1).toBuilder().addEntries(big).build();
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
          for (int i = 0; i < 400; i++) { // 100 MiB: far beyond what the socket buffers hold
            a.transport.send(m);
          }
        });
        assertEquals(2L, a.unreachable.poll(TestPeers.WAIT_SECONDS, TimeUnit.SECONDS));
      }
    }
  }

  @Test
  @DisplayName("a peer port in use fails start with a clear message")
  void portInUse() {
    Map<Long, InetSocketAddress> addrs = TestPeers.addresses(1);
    try (TestPeers a = TestPeers.start(1, addrs)) {
      TestPeers twin = new TestPeers(1, TestPeers.CLUSTER, addrs.get(1L), addrs, 1 << 20);
      UncheckedIOException e = assertThrows(UncheckedIOException.class,
          () -> twin.transport.start(m -> { }, id -> { }));
      assertTrue(e.getMessage().startsWith("peer port " + Frames.hostPort(addrs.get(1L))
          + " is in use"), e.getMessage());
      twin.close();
    }
  }
}
