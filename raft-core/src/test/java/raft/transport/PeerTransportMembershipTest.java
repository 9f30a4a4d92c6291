package raft.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.pb.MessageType.MSG_APP;
import static raft.transport.TestPeers.msg;

import com.google.protobuf.ByteString;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.pb.MembersAnswer;
import raft.pb.Message;

/** The transport follows the configuration: peers added, removed, told they were removed. */
class PeerTransportMembershipTest {

  @Test
  @DisplayName("a member added at runtime is reached; a removed one is cut off both ways")
  void addThenRemove() throws Exception {
    Map<Long, InetSocketAddress> all = TestPeers.addresses(3);
    Map<Long, InetSocketAddress> first = new HashMap<>(all);
    first.remove(3L);
    try (TestPeers a = TestPeers.start(1, first); TestPeers c = TestPeers.start(3, all)) {
      a.transport.send(msg(MSG_APP, 1, 3, 1)); // 3 is unknown to 1 yet: dropped
      c.transport.send(msg(MSG_APP, 3, 1, 2)); // 1 refuses 3's Hello: not a member
      a.transport.updatePeers(all, Set.of());
      // Sends are fire and forget while the new link connects: resend until one arrives.
      Message got = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestPeers.WAIT_SECONDS);
      while (got == null && System.nanoTime() < deadline) {
        a.transport.send(msg(MSG_APP, 1, 3, 3));
        got = c.inbox.poll(50, TimeUnit.MILLISECONDS);
      }
      assertEquals(3, got == null ? -1 : got.getIndex(), "the member added at runtime is reached");
      a.transport.updatePeers(first, Set.of(3L));
      a.inbox.clear();
      c.inbox.clear();
      a.transport.send(msg(MSG_APP, 1, 3, 4));
      assertEquals(null, c.inbox.poll(500, TimeUnit.MILLISECONDS), "nothing to a removed one");
    }
  }

  @Test
  @DisplayName("a removed member that says Hello is told so, and its owner hears it")
  void removedMemberIsTold() throws Exception {
    Map<Long, InetSocketAddress> all = TestPeers.addresses(2);
    try (TestPeers a = TestPeers.start(1, all); TestPeers b = TestPeers.start(2, all)) {
      CountDownLatch told = new CountDownLatch(1);
      b.transport.onRemoved(told::countDown);
      a.transport.updatePeers(Map.of(1L, all.get(1L)), Set.of(2L));
      b.transport.send(msg(MSG_APP, 2, 1, 1));
      assertTrue(told.await(TestPeers.WAIT_SECONDS, TimeUnit.SECONDS),
          "member 2 should have been told it was removed");
    }
  }

  @Test
  @DisplayName("a joining member asks who is in the cluster")
  void membersQueryAndAcknowledgements() throws Exception {
    Map<Long, InetSocketAddress> all = TestPeers.addresses(2);
    try (TestPeers a = TestPeers.start(1, all); TestPeers b = TestPeers.start(2, all)) {
      a.transport.answerMembersWith(() -> ByteString.copyFromUtf8("registry"));
      MembersAnswer answer = PeerTransport.queryMembers(all.get(1L), Duration.ofSeconds(5));
      assertEquals(TestPeers.CLUSTER, answer.getClusterId());
      assertEquals("registry", answer.getMembers().toStringUtf8());
    }
  }
}
