package raft.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.pb.MessageType.MSG_APP;
import static raft.pb.MessageType.MSG_HEARTBEAT;
import static raft.transport.TestPeers.msg;

import com.google.protobuf.ByteString;
import io.netty.util.internal.PlatformDependent;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.pb.Entry;
import raft.pb.Hello;
import raft.pb.Message;
import raft.pb.PeerFrame;

/**
 * Strangers on the peer port: before its Hello a connection may make the member hold only a few
 * KiB, for a bounded time, in a bounded number of places; after it, frames up to the limit.
 */
class PeerTransportHandshakeTest {
  private static final int CONNECTIONS = 8;
  private static final int SENT_EACH = 8 << 20;

  @Test
  @DisplayName("huge length prefixes before the Hello: refused at once, no memory kept")
  void hugePrefixBeforeHello() throws Exception {
    long used = PlatformDependent.usedDirectMemory();
    assertTrue(used >= 0, "Netty does not count its direct memory here");
    Map<Long, InetSocketAddress> addrs = TestPeers.addresses(2);
    try (TestPeers a = TestPeers.start(1, addrs); TestPeers b = TestPeers.start(2, addrs)) {
      List<Socket> strangers = new ArrayList<>();
      try {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
          for (int i = 0; i < CONNECTIONS; i++) {
            strangers.add(prefixThenBytes(a.address.getPort(), 60 << 20, SENT_EACH));
          }
        });
        // With the old 64 MiB limit before the Hello, the member held each connection's bytes
        // while waiting for the rest of its frame: 8 x 8 MiB, doubled by buffer growth.
        long held = PlatformDependent.usedDirectMemory() - used;
        assertTrue(held < 8 << 20, "the member holds " + held + " bytes of direct memory for "
            + CONNECTIONS + " strangers");
        for (Socket s : strangers) {
          assertClosed(s);
        }
        String line = a.awaitLog(l -> l.contains("before its Hello"));
        assertTrue(line.matches("peer 127\\.0\\.0\\.1:\\d+ sent a length prefix of 62914560 bytes"
            + " before its Hello, over the 4096-byte limit for a Hello \\(another protocol on"
            + " the peer port\\?\\); closing"), line);
      } finally {
        for (Socket s : strangers) {
          s.close();
        }
      }
      b.transport.send(msg(MSG_HEARTBEAT, 2, 1, 5));
      assertEquals(5, a.take().getIndex());
    }
  }

  /** A stranger's connection (see {@link Strangers}) that times out its reads. */
  private static Socket prefixThenBytes(int port, int length, int bytes) throws IOException {
    Socket s = Strangers.prefixThenBytes(port, length, bytes);
    s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TestPeers.WAIT_SECONDS));
    return s;
  }

  private static void assertClosed(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    try {
      assertEquals(-1, in.read(), "the transport should close the connection");
    } catch (java.net.SocketException reset) {
      // closed with unread bytes: the kernel says so with a reset, which is closed too
    }
  }

  @Test
  @DisplayName("a connection that says nothing, or half a frame, is closed at the Hello deadline")
  void helloDeadline() throws Exception {
    Map<Long, InetSocketAddress> addrs = TestPeers.addresses(2);
    try (TestPeers a = TestPeers.start(1, addrs,
            o -> o.withHelloGate(Duration.ofMillis(300), 64));
        TestPeers b = TestPeers.start(2, addrs);
        Socket silent = new Socket("127.0.0.1", a.address.getPort());
        Socket partial = new Socket("127.0.0.1", a.address.getPort())) {
      silent.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TestPeers.WAIT_SECONDS));
      partial.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TestPeers.WAIT_SECONDS));
      partial.getOutputStream().write(new byte[] {0, 0, 0, 20, 10});
      assertClosed(silent);
      assertClosed(partial);
      a.awaitLog(l -> l.equals("peer 127.0.0.1:" + silent.getLocalPort()
          + " sent no Hello within 300 ms; closing"));
      b.transport.send(msg(MSG_HEARTBEAT, 2, 1, 6)); // a real peer's Hello is in time
      assertEquals(6, a.take().getIndex());
    }
  }

  @Test
  @DisplayName("a crowd of silent connections: the oldest waiting are closed, real peers get in")
  void crowdOfSilentConnections() throws Exception {
    Map<Long, InetSocketAddress> addrs = TestPeers.addresses(2);
    List<Socket> silent = new ArrayList<>();
    try (TestPeers a = TestPeers.start(1, addrs,
        o -> o.withHelloGate(Duration.ofSeconds(60), 4))) {
      try {
        for (int i = 0; i < 6; i++) {
          Socket s = new Socket("127.0.0.1", a.address.getPort());
          s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TestPeers.WAIT_SECONDS));
          silent.add(s);
        }
        a.awaitLog(l -> l.contains("had said no Hello when 4 connections were waiting"));
        a.awaitLog(l -> l.contains("had said no Hello when 4 connections were waiting"));
        assertEquals(2, closedAmong(silent), "6 waiting for their Hello, 4 places");
        try (TestPeers b = TestPeers.start(2, addrs)) {
          b.transport.send(msg(MSG_HEARTBEAT, 2, 1, 7));
          assertEquals(7, a.take().getIndex());
        }
      } finally {
        for (Socket s : silent) {
          s.close();
        }
      }
    }
  }

  /** How many of these connections the member closed (which ones depends on accept order). */
  private static int closedAmong(List<Socket> sockets) throws IOException {
    int closed = 0;
    for (Socket s : sockets) {
      s.setSoTimeout(2000); // the closes were logged just before they were made
      try {
        closed += s.getInputStream().read() == -1 ? 1 : 0;
      } catch (java.net.SocketTimeoutException stillOpen) {
        // waiting for its Hello, as it may
      }
    }
    return closed;
  }

  @Test
  @DisplayName("after the Hello: a frame of the full limit is delivered, one byte more refused")
  void limitAfterHello() throws Exception {
    int limit = 2 << 20;
    Map<Long, InetSocketAddress> addrs = TestPeers.addresses(2);
    try (TestPeers a = TestPeers.start(1, addrs, o -> o.withMaxFrameBytes(limit));
        TestPeers b = TestPeers.start(2, addrs, o -> o.withMaxFrameBytes(limit))) {
      Message largestSent = fill(msg(MSG_APP, 2, 1, 1), limit - PeerTransport.FRAME_OVERHEAD);
      b.transport.send(largestSent);
      assertEquals(largestSent, a.take());

      try (Socket s = new Socket("127.0.0.1", a.address.getPort())) {
        s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TestPeers.WAIT_SECONDS));
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        Hello hello = Hello.newBuilder().setClusterId(TestPeers.CLUSTER).setFrom(2).build();
        TestPeers.writeFrame(out, PeerFrame.newBuilder().setHello(hello).build());
        Message full = fill(msg(MSG_APP, 2, 1, 2), limit);
        TestPeers.writeFrame(out, PeerFrame.newBuilder().setMessage(full).build());
        assertEquals(full, a.take());
        out.writeInt(limit + 1);
        out.flush();
        assertClosed(s);
        a.awaitLog(l -> l.contains("sent a length prefix of " + (limit + 1) + " bytes, over the "
            + limit + "-byte limit"));
      }
    }
  }

  @Test
  @DisplayName("a Hello from a member not in the configuration is refused")
  void strangerMemberRefused() throws Exception {
    Map<Long, InetSocketAddress> addrs = TestPeers.addresses(2);
    try (TestPeers a = TestPeers.start(1, addrs);
        Socket s = new Socket("127.0.0.1", a.address.getPort())) {
      s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TestPeers.WAIT_SECONDS));
      hello(s, 9);
      assertClosed(s);
      a.awaitLog(l -> l.equals("peer 127.0.0.1:" + s.getLocalPort() + " sent a Hello from member"
          + " 9, which is not in this cluster's configuration; closing"));
    }
  }

  @Test
  @DisplayName("a member may hold four connections; a fifth closes its oldest")
  void connectionsPerMember() throws Exception {
    Map<Long, InetSocketAddress> addrs = TestPeers.addresses(2);
    List<Socket> links = new ArrayList<>();
    try (TestPeers a = TestPeers.start(1, addrs)) {
      try {
        for (int i = 0; i < HelloGate.PER_MEMBER + 1; i++) {
          Socket s = new Socket("127.0.0.1", a.address.getPort());
          s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TestPeers.WAIT_SECONDS));
          hello(s, 2);
          links.add(s);
          // Each is admitted before the next connects: every one delivers a heartbeat first.
          TestPeers.writeFrame(new DataOutputStream(s.getOutputStream()),
              PeerFrame.newBuilder().setMessage(msg(MSG_HEARTBEAT, 2, 1, i)).build());
          assertEquals(i, a.take().getIndex());
        }
        assertClosed(links.get(0));
        a.awaitLog(l -> l.equals("member 2 opened more than 4 connections; closing its oldest,"
            + " from 127.0.0.1:" + links.get(0).getLocalPort()));
        assertEquals(1, closedAmong(links), "only the oldest is closed");
      } finally {
        for (Socket s : links) {
          s.close();
        }
      }
    }
  }

  @Test
  @DisplayName("a Hello claiming a member that has its four connections, from another address, "
      + "is refused and closes none of the member's")
  void forgedHelloFromAnotherAddressCutsNothing() throws Exception {
    Map<Long, InetSocketAddress> addrs = TestPeers.addresses(2);
    List<Socket> links = new ArrayList<>();
    try (TestPeers a = TestPeers.start(1, addrs)) {
      try {
        for (int i = 0; i < HelloGate.PER_MEMBER; i++) {
          Socket s = new Socket("127.0.0.1", a.address.getPort());
          s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TestPeers.WAIT_SECONDS));
          hello(s, 2);
          links.add(s);
          TestPeers.writeFrame(new DataOutputStream(s.getOutputStream()),
              PeerFrame.newBuilder().setMessage(msg(MSG_HEARTBEAT, 2, 1, i)).build());
          assertEquals(i, a.take().getIndex());
        }
        Socket forger = new Socket(InetAddress.getByName("127.0.0.1"), a.address.getPort(),
            InetAddress.getByName("127.0.0.2"), 0);
        forger.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TestPeers.WAIT_SECONDS));
        hello(forger, 2);
        assertClosed(forger);
        a.awaitLog(l -> l.contains("which has 4 connections from another address already"));
        assertEquals(0, closedAmong(links), "the member's own connections stay open");
        forger.close();
      } finally {
        for (Socket s : links) {
          s.close();
        }
      }
    }
  }

  private static void hello(Socket s, long from) throws IOException {
    Hello hello = Hello.newBuilder().setClusterId(TestPeers.CLUSTER).setFrom(from).build();
    TestPeers.writeFrame(new DataOutputStream(s.getOutputStream()),
        PeerFrame.newBuilder().setHello(hello).build());
  }

  /** {@code m} with one entry that makes its PeerFrame exactly {@code frameBytes} long. */
  private static Message fill(Message m, int frameBytes) {
    int data = frameBytes;
    for (int tries = 0; tries < 10; tries++) {
      Entry e = Entry.newBuilder().setIndex(2).setTerm(1)
          .setData(ByteString.copyFrom(new byte[data])).build();
      Message withEntry = m.toBuilder().addEntries(e).build();
      int size = PeerFrame.newBuilder().setMessage(withEntry).build().getSerializedSize();
      if (size == frameBytes) {
        return withEntry;
      }
      data += frameBytes - size;
    }
    throw new AssertionError("no entry size gives a frame of " + frameBytes + " bytes");
  }
}
