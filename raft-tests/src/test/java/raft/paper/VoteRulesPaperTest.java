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
import raft.pb.Message;
import raft.pb.MessageType;

/**
 * The corners of the voting rules (§5.2, §5.4.1, thesis §9.6) that the broader election tests
 * leave open; each was written against a mutant of the rule that scripts/mutation showed
 * surviving.
 */
class VoteRulesPaperTest {

  @Test
  @DisplayName("§5.2: a follower that already follows a leader of its term grants no vote in "
      + "that term (that leader won it)")
  void noVoteInTermWithKnownLeader() {
    PaperNode n = node(1).term(2).build();
    n.step(msg(MessageType.MSG_HEARTBEAT, 2, 1, 2));
    assertEquals(2, n.raft().lead());

    Message resp = single(n.step(msg(MessageType.MSG_VOTE, 3, 1, 2)), MessageType.MSG_VOTE_RESP, 3);
    assertTrue(resp.getReject(), "a second leader of term 2 must not be elected with our vote");
    assertEquals(0, n.raft().votedFor());
  }

  @Test
  @DisplayName("Thesis §9.6: a pre-vote asked for at our own term is refused once we voted in it; "
      + "one for a later term is granted")
  void preVoteAtOurTermRespectsOurVote() {
    PaperNode n = node(1).preVote().hardState(3, 2, 0).build(); // voted for 2 in term 3
    Message sameTerm = single(n.step(msg(MessageType.MSG_PRE_VOTE, 3, 1, 3)),
        MessageType.MSG_PRE_VOTE_RESP, 3);
    assertTrue(sameTerm.getReject(), "term 3 is taken by our vote for 2");

    Message nextTerm = single(n.step(msg(MessageType.MSG_PRE_VOTE, 3, 1, 4)),
        MessageType.MSG_PRE_VOTE_RESP, 3);
    assertFalse(nextTerm.getReject(), "a pre-vote for term 4 binds nothing");
    assertEquals(4, nextTerm.getTerm(), "the grant carries the term it was asked for");
    assertEquals(3, n.term());
    assertEquals(2, n.raft().votedFor());
  }

  @Test
  @DisplayName("§5.4.1: a vote request from a candidate with a shorter log of the same last term "
      + "is refused; one as long as ours is granted")
  void upToDateByLengthWhenLastTermsTie() {
    PaperNode n = node(1).log(1, 2, 2).term(2).build();
    Message shorter = single(n.step(msg(MessageType.MSG_VOTE, 2, 1, 3).setIndex(2).setLogTerm(2)),
        MessageType.MSG_VOTE_RESP, 2);
    assertTrue(shorter.getReject());
    Message equal = single(n.step(msg(MessageType.MSG_VOTE, 3, 1, 3).setIndex(3).setLogTerm(2)),
        MessageType.MSG_VOTE_RESP, 3);
    assertFalse(equal.getReject());
    assertEquals(3, n.raft().votedFor());
  }

  @Test
  @DisplayName("§5.4.1: a candidate whose last term is higher is up to date even with a shorter "
      + "log")
  void higherLastTermWinsOverLength() {
    PaperNode n = node(1).log(1, 1, 1, 1).term(1).build();
    Message resp = single(n.step(msg(MessageType.MSG_VOTE, 2, 1, 3).setIndex(2).setLogTerm(2)),
        MessageType.MSG_VOTE_RESP, 2);
    assertFalse(resp.getReject());
  }

  @Test
  @DisplayName("§5.2: a single-voter cluster elects itself at once, with no vote requests")
  void singleVoterWinsAlone() {
    PaperNode n = node(1).peers(1L).term(3).build();
    List<Message> out = n.campaign();
    assertEquals(StateRole.LEADER, n.role());
    assertEquals(4, n.term());
    assertTrue(recipients(out, MessageType.MSG_VOTE).isEmpty(), "no one to ask: " + out);
  }

  @Test
  @DisplayName("Thesis §9.6: a single-voter cluster with PreVote passes both rounds alone and "
      + "leads the next term")
  void singleVoterWinsAloneWithPreVote() {
    PaperNode n = node(1).peers(1L).preVote().term(3).build();
    List<Message> out = n.campaign();
    assertEquals(StateRole.LEADER, n.role());
    assertEquals(4, n.term());
    assertTrue(out.stream().noneMatch(m -> m.getType() == MessageType.MSG_PRE_VOTE
        || m.getType() == MessageType.MSG_VOTE), "no one to ask: " + out);
  }

  @Test
  @DisplayName("Thesis §9.6: pre-vote requests ask for term+1 and carry the last log position, "
      + "while the pre-candidate's own term stays")
  void preVoteRequestsCarryNextTermAndLogPosition() {
    PaperNode n = node(1).preVote().log(1, 2).term(2).build();
    List<Message> out = n.campaign();
    assertEquals(StateRole.PRE_CANDIDATE, n.role());
    assertEquals(List.of(2L, 3L), recipients(out, MessageType.MSG_PRE_VOTE));
    for (Message m : out) {
      assertEquals(3, m.getTerm());
      assertEquals(2, m.getIndex());
      assertEquals(2, m.getLogTerm());
      assertTrue(m.getContext().isEmpty(), "not a transfer: followers in lease may ignore it");
    }
    assertEquals(2, n.term());
  }

  @Test
  @DisplayName("Thesis §9.6: a pre-candidate refused by a node of a higher term adopts that term "
      + "and becomes a follower; a grant (which carries term+1) changes no term")
  void preVoteRefusalTeachesHigherTerm() {
    PaperNode n = node(1).peers(1L, 2L, 3L, 4L, 5L).preVote().term(2).build();
    n.campaign();
    n.step(msg(MessageType.MSG_PRE_VOTE_RESP, 2, 1, 3)); // a grant for term 3
    assertEquals(2, n.term(), "a granted pre-vote binds no term");
    assertEquals(StateRole.PRE_CANDIDATE, n.role());

    n.step(msg(MessageType.MSG_PRE_VOTE_RESP, 3, 1, 5).setReject(true));
    assertEquals(5, n.term());
    assertEquals(StateRole.FOLLOWER, n.role());
  }
}
