package raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.pb.Message;
import raft.pb.MessageType;

/**
 * The protocol's own counts behind raftkv_raft_elections_started_total and the pre-vote
 * counters: a pre-vote round refused by a majority is lost and leaves the term alone (thesis
 * §9.6); a round won becomes a real election at the next term (§5.2).
 */
class ElectionCountsTest {

  private static Raft raft() {
    return RoleTransitionMutationTest.raft();
  }

  private static Message preVoteResp(long from, long term, boolean reject) {
    return Message.newBuilder().setType(MessageType.MSG_PRE_VOTE_RESP).setFrom(from).setTo(1)
        .setTerm(term).setReject(reject).build();
  }

  @Test
  @DisplayName("§9.6: a refused pre-vote is counted lost; a won one starts one election")
  void preVotesLostAndElectionsStarted() {
    Raft r = raft();
    long term = r.term();
    r.step(Message.newBuilder().setType(MessageType.MSG_HUP).setFrom(1).build());
    assertEquals(StateRole.PRE_CANDIDATE, r.role());
    assertEquals(1, r.elections().preVotesStarted());
    r.step(preVoteResp(2, term, true));
    r.step(preVoteResp(3, term, true));
    assertEquals(StateRole.FOLLOWER, r.role());
    assertEquals(1, r.elections().preVotesLost());
    assertEquals(0, r.elections().electionsStarted());
    assertEquals(term, r.term(), "a lost pre-vote leaves the term alone");

    r.step(Message.newBuilder().setType(MessageType.MSG_HUP).setFrom(1).build());
    r.step(preVoteResp(2, term + 1, false));
    assertEquals(StateRole.CANDIDATE, r.role());
    assertEquals(2, r.elections().preVotesStarted());
    assertEquals(1, r.elections().preVotesLost());
    assertEquals(1, r.elections().electionsStarted());
    assertEquals(term + 1, r.term());
  }
}
