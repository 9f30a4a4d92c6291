package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.pb.AdminGrpc;
import raft.kv.pb.LogEntryId;
import raft.kv.pb.MessagesSent;
import raft.kv.pb.NodeStatusRequest;
import raft.kv.pb.NodeStatusResponse;

/**
 * What Admin NodeStatus tells the cluster view beyond scripts/cluster status: the vote, the
 * log's last entries as (index, term), voter or learner, and the messages sent per peer and
 * kind. On three real in-process members.
 */
class NodeStatusForTheViewTest {
  @TempDir Path dir;

  @Test
  @DisplayName("NodeStatus has the vote, the last <= 20 entries, voter, and messages per peer and kind")
  void nodeStatusCarriesWhatTheViewDraws() throws Exception {
    try (InProcessCluster c = new InProcessCluster(3, 3, dir)) {
      long leader = c.awaitLeader();
      List<String> eps = List.of(c.endpoints().split(","));
      NodeStatusResponse lead = status(eps.get((int) leader - 1));
      // Heartbeats go out every 20 ms here; wait (bounded, 30 s for a slow machine) until each
      // follower has answered, and for an answer with the log's tail (a loop too busy to read
      // it within 200 ms leaves it out of that one answer).
      // A new leader's first messages are appends; its first heartbeat comes a tick later.
      for (int i = 0; i < 600 && (!answeredByAll(eps, leader) || lead.getLogTailCount() == 0
          || !heartbeatsToAll(lead, leader)); i++) {
        Thread.sleep(50);
        lead = status(eps.get((int) leader - 1));
      }
      assertEquals("leader", lead.getRole());
      assertEquals(leader, lead.getVotedFor(), "a leader voted for itself in its term");
      assertFalse(lead.getLearner());
      List<LogEntryId> tail = lead.getLogTailList();
      assertFalse(tail.isEmpty());
      assertTrue(tail.size() <= 20, "at most 20 entries: " + tail.size());
      assertEquals(lead.getLastIndex(), tail.get(tail.size() - 1).getIndex());
      for (int i = 1; i < tail.size(); i++) {
        assertEquals(tail.get(i - 1).getIndex() + 1, tail.get(i).getIndex(), "ascending");
        assertTrue(tail.get(i - 1).getTerm() <= tail.get(i).getTerm(), "terms never go down");
      }
      assertEquals(lead.getTerm(), tail.get(tail.size() - 1).getTerm());
      for (long peer = 1; peer <= 3; peer++) {
        if (peer != leader) {
          assertTrue(sent(lead, peer, "heartbeat") > 0, "heartbeats to " + peer + ": " + lead);
        }
      }
      assertTrue(answeredByAll(eps, leader), "every follower answered the leader");
    }
  }

  private static boolean heartbeatsToAll(NodeStatusResponse lead, long leader) {
    for (long peer = 1; peer <= 3; peer++) {
      if (peer != leader && sent(lead, peer, "heartbeat") == 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean answeredByAll(List<String> eps, long leader) {
    for (int k = 1; k <= eps.size(); k++) {
      if (k != leader && sent(status(eps.get(k - 1)), leader, "response") == 0) {
        return false;
      }
    }
    return true;
  }

  private static long sent(NodeStatusResponse s, long to, String kind) {
    return s.getMessagesSentList().stream().filter(m -> m.getTo() == to
        && m.getKind().equals(kind)).mapToLong(MessagesSent::getCount).sum();
  }

  private static NodeStatusResponse status(String endpoint) {
    ManagedChannel ch = ManagedChannelBuilder.forTarget(endpoint).usePlaintext().build();
    try {
      return AdminGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
          .nodeStatus(NodeStatusRequest.getDefaultInstance());
    } finally {
      ch.shutdownNow();
    }
  }
}
