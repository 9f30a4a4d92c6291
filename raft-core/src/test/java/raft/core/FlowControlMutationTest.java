package raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.log.MemoryStorage;
import raft.pb.Message;
import raft.pb.MessageType;

/**
 * §5.3 flow control with the size limits a harness with default limits never reaches (one entry
 * per message, a byte-bounded in-flight window), and the Ready's sync flag. Written against
 * mutants of Replication.maybeSendAppend and RaftNode.ready that survived the other tests.
 */
class FlowControlMutationTest {

  private final MemoryStorage storage = new MemoryStorage();
  private RaftNode node;

  private void start(long maxSizePerMsg, long maxInflightBytes) {
    Config c = new Config();
    c.id = 1;
    c.peers = List.of(1L, 2L, 3L);
    c.storage = storage;
    c.random = new SplittableRandom(1);
    c.preVote = false;
    c.checkQuorum = false;
    c.maxSizePerMsg = maxSizePerMsg;
    c.maxInflightBytes = maxInflightBytes;
    node = new RaftNode(c);
  }

  /** Carries out Ready cycles until none is left, as a runtime does; returns what was sent. */
  private List<Message> settle() {
    List<Message> out = new ArrayList<>();
    while (node.hasReady()) {
      Ready rd = node.ready();
      storage.append(rd.entries());
      if (rd.hardState() != null) {
        storage.setHardState(rd.hardState());
      }
      out.addAll(rd.messages());
      node.advance(rd);
      node.persisted(rd); // the writes above were synchronous
    }
    return out;
  }

  private List<Message> step(MessageType t, long from, long index) {
    node.step(Message.newBuilder().setType(t).setFrom(from).setTo(1).setTerm(1).setIndex(index)
        .build());
    return settle();
  }

  private static List<Message> appsTo(List<Message> out, long to) {
    return out.stream().filter(m -> m.getType() == MessageType.MSG_APP && m.getTo() == to)
        .toList();
  }

  /** Leader of term 1; node 3 has acknowledged the no-op (committed), node 2 is still probing. */
  private void leaderWithProbingFollower() {
    node.campaign();
    settle();
    step(MessageType.MSG_VOTE_RESP, 2, 0);
    assertEquals(StateRole.LEADER, node.raft().role());
    step(MessageType.MSG_APP_RESP, 3, 1);
    assertEquals(1, node.raft().log().commitIndex());
    node.proposeAll(List.of(ByteString.copyFromUtf8("a"), ByteString.copyFromUtf8("b"),
        ByteString.copyFromUtf8("c")));
    settle();
  }

  @Test
  @DisplayName("§5.3 pipelining: once a probing follower matches, the leader fills the window "
      + "with every pending entry, one message per size limit")
  void matchedFollowerGetsWholeBacklog() {
    start(1, 0); // at most one entry per message
    leaderWithProbingFollower();
    List<Message> out = step(MessageType.MSG_APP_RESP, 2, 1);
    List<Message> apps = appsTo(out, 2);
    assertEquals(3, apps.size(), out::toString);
    assertEquals(List.of(1L, 2L, 3L), apps.stream().map(Message::getIndex).toList());
  }

  @Test
  @DisplayName("§5.3 flow control: bytes in flight are bounded; a follower over the bound gets "
      + "nothing more until it acknowledges")
  void inflightBytesBounded() {
    start(1024 * 1024, 1);
    leaderWithProbingFollower();
    assertEquals(1, appsTo(step(MessageType.MSG_APP_RESP, 2, 1), 2).size());
    node.propose(ByteString.copyFromUtf8("d"));
    assertTrue(appsTo(settle(), 2).isEmpty(), "over the byte bound: paused");
    assertEquals(1, appsTo(step(MessageType.MSG_APP_RESP, 2, 4), 2).size(), "acked: resumes");
  }

  @Test
  @DisplayName("Figure 2: a Ready with a new term, vote or entries must be synced before "
      + "messages go out; one that only moves the commit index need not be")
  void mustSyncOnlyForDurableState() {
    start(1024 * 1024, 0);
    node.campaign();
    Ready vote = node.ready();
    assertTrue(vote.mustSync(), "term and vote changed");
    storage.setHardState(vote.hardState());
    node.advance(vote);
    node.persisted(vote);
    settle();
    step(MessageType.MSG_VOTE_RESP, 2, 0);
    // Node 3's ack commits the no-op: only the commit index changes.
    node.step(Message.newBuilder().setType(MessageType.MSG_APP_RESP).setFrom(3).setTo(1)
        .setTerm(1).setIndex(1).build());
    Ready rd = node.ready();
    assertEquals(1, rd.hardState().getCommit());
    assertTrue(rd.entries().isEmpty());
    assertFalse(rd.mustSync(), rd.toString());
  }
}
