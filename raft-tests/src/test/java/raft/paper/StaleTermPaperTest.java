package raft.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.paper.PaperHarness.app;
import static raft.paper.PaperHarness.msg;
import static raft.paper.PaperHarness.node;
import static raft.paper.PaperHarness.single;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.core.StateRole;
import raft.pb.Message;
import raft.pb.MessageType;

/**
 * §5.1's stale terms with the extensions switched on one at a time, and the timers that only
 * CheckQuorum arms. Written against mutants of Raft.stepLowerTerm, stepHigherTerm and
 * tickHeartbeat that survived.
 */
class StaleTermPaperTest {

  @Test
  @DisplayName("§5.1 with PreVote: a stale heartbeat is answered with our term, since a deposed "
      + "leader that cannot win a vote would otherwise never learn it")
  void staleHeartbeatAnsweredWithPreVote() {
    PaperNode n = node(1).preVote().term(3).build();
    Message resp = single(n.step(msg(MessageType.MSG_HEARTBEAT, 2, 1, 2)),
        MessageType.MSG_APP_RESP, 2);
    assertEquals(3, resp.getTerm());
  }

  @Test
  @DisplayName("§5.1 with CheckQuorum: a stale append is answered with our term")
  void staleAppendAnsweredWithCheckQuorum() {
    PaperNode n = node(1).checkQuorum().term(3).build();
    Message resp = single(n.step(app(2, 1, 2, 0, 0, 0)), MessageType.MSG_APP_RESP, 2);
    assertEquals(3, resp.getTerm());
    assertEquals(StateRole.FOLLOWER, n.role());
    assertEquals(0, n.raft().lead(), "a stale leader is not our leader");
  }

  @Test
  @DisplayName("§5.1 as in the paper (no PreVote, no CheckQuorum): stale heartbeats and appends "
      + "are dropped; the stale leader learns the term from the next election")
  void staleRequestsDroppedWithoutExtensions() {
    PaperNode n = node(1).term(3).build();
    assertTrue(n.step(msg(MessageType.MSG_HEARTBEAT, 2, 1, 2)).isEmpty());
    assertTrue(n.step(app(2, 1, 2, 0, 0, 0)).isEmpty());
    assertTrue(n.step(msg(MessageType.MSG_VOTE_RESP, 2, 1, 2)).isEmpty(), "stale replies too");
  }

  @Test
  @DisplayName("Thesis §9.6: a stale pre-vote request is refused with our term, so the "
      + "pre-candidate catches up")
  void stalePreVoteRefusedWithOurTerm() {
    PaperNode n = node(1).preVote().term(5).build();
    Message resp = single(n.step(msg(MessageType.MSG_PRE_VOTE, 2, 1, 3)),
        MessageType.MSG_PRE_VOTE_RESP, 2);
    assertTrue(resp.getReject());
    assertEquals(5, resp.getTerm());
    assertEquals(5, n.term());
  }

  @Test
  @DisplayName("Thesis §4.2.3: without CheckQuorum there is no lease: a follower that just "
      + "heard from its leader still grants a higher-term vote")
  void noLeaseWithoutCheckQuorum() {
    PaperNode n = node(1).preVote().term(2).build();
    n.step(msg(MessageType.MSG_HEARTBEAT, 2, 1, 2));
    Message resp = single(n.step(msg(MessageType.MSG_VOTE, 3, 1, 3)), MessageType.MSG_VOTE_RESP, 3);
    assertFalse(resp.getReject());
    assertEquals(3, n.term());
  }

  @Test
  @DisplayName("Thesis §6.2: without CheckQuorum a leader never steps down for silence")
  void noCheckQuorumNoStepDown() {
    PaperNode n = node(1).leader(2);
    List<Message> out = n.tick(50);
    assertEquals(StateRole.LEADER, n.role());
    assertFalse(out.isEmpty(), "it keeps sending heartbeats");
  }

  @Test
  @DisplayName("§5.1: a higher term in a reply or a vote request makes us a follower of that "
      + "term that knows no leader yet")
  void higherTermFromNonLeaderMeansNoLeader() {
    for (MessageType t : List.of(MessageType.MSG_APP_RESP, MessageType.MSG_HEARTBEAT_RESP,
        MessageType.MSG_VOTE_RESP, MessageType.MSG_VOTE)) {
      PaperNode n = node(1).leader(2);
      n.step(msg(t, 2, 1, 5).setReject(t == MessageType.MSG_VOTE_RESP));
      assertEquals(StateRole.FOLLOWER, n.role(), t.toString());
      assertEquals(5, n.term(), t.toString());
      assertEquals(0, n.raft().lead(), t + " does not come from a leader");
    }
  }
}
