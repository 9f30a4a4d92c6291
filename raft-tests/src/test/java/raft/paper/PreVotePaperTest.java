package raft.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.paper.PaperHarness.msg;
import static raft.paper.PaperHarness.node;
import static raft.paper.PaperHarness.recipients;
import static raft.paper.PaperHarness.single;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.core.StateRole;
import raft.pb.HardState;
import raft.pb.Message;
import raft.pb.MessageType;

/**
 * Thesis §9.6 (PreVote) and §4.2.3 (ignoring vote requests while a leader is alive): the two
 * guards that keep a partitioned or restarted node from disrupting a healthy leader.
 */
class PreVotePaperTest {

  @Test
  @DisplayName("Thesis §9.6: a timed-out follower becomes a pre-candidate and asks for votes at "
      + "term+1 without changing its own term or vote")
  void preCandidateKeepsTerm() {
    PaperNode n = node(1).preVote().log(1, 1).term(1).build();
    List<Message> out = n.tick(n.raft().randomizedElectionTimeout());
    assertEquals(StateRole.PRE_CANDIDATE, n.role());
    assertEquals(1, n.term());
    assertEquals(0, n.raft().votedFor());
    assertEquals(HardState.newBuilder().setTerm(1).build(), n.storage.hardState());
    assertEquals(List.of(2L, 3L), recipients(out, MessageType.MSG_PRE_VOTE));
    for (Message m : out) {
      assertEquals(2, m.getTerm(), "asks for the term it would stand in");
      assertEquals(2, m.getIndex());
      assertEquals(1, m.getLogTerm());
    }
  }

  @Test
  @DisplayName("Thesis §9.6: granting a pre-vote changes neither the voter's term nor its vote")
  void preVoteGrantBindsNothing() {
    PaperNode n = node(1).preVote().term(1).build();
    Message resp = single(n.step(msg(MessageType.MSG_PRE_VOTE, 2, 1, 2)),
        MessageType.MSG_PRE_VOTE_RESP, 2);
    assertFalse(resp.getReject());
    assertEquals(2, resp.getTerm(), "the grant carries the term asked for, so it is counted");
    assertEquals(1, n.term());
    assertEquals(0, n.raft().votedFor());

    // The real vote of term 2 is still free to give to someone else.
    Message vote = single(n.step(msg(MessageType.MSG_VOTE, 3, 1, 2)),
        MessageType.MSG_VOTE_RESP, 3);
    assertFalse(vote.getReject());
  }

  @Test
  @DisplayName("Thesis §9.6: a pre-candidate raises its term and becomes a candidate only once "
      + "a majority granted pre-votes")
  void preVoteMajorityStartsRealElection() {
    PaperNode n = node(1).preVote().peers(1L, 2L, 3L, 4L, 5L).term(1).build();
    n.campaign();
    n.step(msg(MessageType.MSG_PRE_VOTE_RESP, 2, 1, 2));
    assertEquals(StateRole.PRE_CANDIDATE, n.role(), "2 of 5 is no majority");
    assertEquals(1, n.term());

    List<Message> out = n.step(msg(MessageType.MSG_PRE_VOTE_RESP, 3, 1, 2));
    assertEquals(StateRole.CANDIDATE, n.role());
    assertEquals(2, n.term());
    assertEquals(1, n.raft().votedFor());
    assertEquals(List.of(2L, 3L, 4L, 5L), recipients(out, MessageType.MSG_VOTE));
  }

  @Test
  @DisplayName("Thesis §9.6: a pre-vote is refused to a candidate whose log is behind")
  void preVoteRefusedToStaleLog() {
    PaperNode n = node(1).preVote().log(1, 2).term(2).build();
    Message resp = single(
        n.step(msg(MessageType.MSG_PRE_VOTE, 2, 1, 3).setIndex(5).setLogTerm(1)),
        MessageType.MSG_PRE_VOTE_RESP, 2);
    assertTrue(resp.getReject());
    assertEquals(2, resp.getTerm(), "a refusal carries the voter's own term");
    assertEquals(2, n.term());
  }

  @Test
  @DisplayName("Thesis §9.6: a pre-candidate refused by a majority returns to follower without "
      + "having raised its term")
  void preVoteLossKeepsTerm() {
    PaperNode n = node(1).preVote().term(1).build();
    n.campaign();
    n.step(msg(MessageType.MSG_PRE_VOTE_RESP, 2, 1, 1).setReject(true));
    n.step(msg(MessageType.MSG_PRE_VOTE_RESP, 3, 1, 1).setReject(true));
    assertEquals(StateRole.FOLLOWER, n.role());
    assertEquals(1, n.term());
  }

  @Test
  @DisplayName("Thesis §9.6: a partitioned node keeps timing out but never raises its term, so "
      + "it cannot depose the leader when it rejoins")
  void isolatedNodeDoesNotInflateTerm() {
    PaperNode n = node(1).preVote().term(1).build();
    List<Message> out = n.tick(20 * 10); // at least 10 election timeouts, nobody answers
    assertEquals(1, n.term());
    assertTrue(ofTypeCount(out, MessageType.MSG_PRE_VOTE) >= 20, "it kept trying: " + out.size());
    assertEquals(0, ofTypeCount(out, MessageType.MSG_VOTE), "never a real election");
  }

  @Test
  @DisplayName("Thesis §4.2.3: a follower that heard from a leader within the election timeout "
      + "ignores a higher-term vote request; after the timeout it grants it")
  void followerInLeaseIgnoresVotes() {
    PaperNode n = node(1).preVote().checkQuorum().term(2).build();
    n.step(msg(MessageType.MSG_HEARTBEAT, 2, 1, 2));

    List<Message> out = n.step(msg(MessageType.MSG_VOTE, 3, 1, 3));
    assertTrue(out.isEmpty(), "ignored, not even refused: " + out);
    assertEquals(2, n.term());
    assertEquals(2, n.raft().lead());

    n.tick(10); // electionTick: the leader has been silent for a whole election timeout
    Message resp = single(n.step(msg(MessageType.MSG_VOTE, 3, 1, 3)),
        MessageType.MSG_VOTE_RESP, 3);
    assertFalse(resp.getReject());
    assertEquals(3, n.term());
  }

  @Test
  @DisplayName("Thesis §4.2.3: a leader with CheckQuorum ignores a higher-term vote request "
      + "from a disruptive node")
  void leaderInLeaseIgnoresVotes() {
    PaperNode n = node(1).preVote().checkQuorum().leader(2);
    assertTrue(n.step(msg(MessageType.MSG_VOTE, 3, 1, 9)).isEmpty());
    assertEquals(StateRole.LEADER, n.role());
    assertEquals(2, n.term());
  }

  private static long ofTypeCount(List<Message> msgs, MessageType t) {
    return PaperHarness.ofType(msgs, t).size();
  }
}
