package raft.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.paper.PaperHarness.app;
import static raft.paper.PaperHarness.msg;
import static raft.paper.PaperHarness.node;
import static raft.paper.PaperHarness.recipients;
import static raft.paper.PaperHarness.single;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.core.Ready;
import raft.core.StateRole;
import raft.pb.HardState;
import raft.pb.Message;
import raft.pb.MessageType;

/** §5.1 terms and §5.2 leader election, Figure 2's rules for followers and candidates. */
class ElectionPaperTest {

  @Test
  @DisplayName("§5.2: a follower that hears nothing for an election timeout becomes a candidate "
      + "and requests votes with its last log position")
  void followerTimesOutAndCampaigns() {
    PaperNode n = node(1).log(1, 1).term(1).build();
    int timeout = n.raft().randomizedElectionTimeout();

    assertTrue(n.tick(timeout - 1).isEmpty(), "no election before the timeout");
    assertEquals(StateRole.FOLLOWER, n.role());

    List<Message> out = n.tick(1);
    assertEquals(StateRole.CANDIDATE, n.role());
    assertEquals(List.of(2L, 3L), recipients(out, MessageType.MSG_VOTE));
    for (Message m : out) {
      assertEquals(2, m.getTerm(), "the vote request carries the new term");
      assertEquals(2, m.getIndex(), "lastLogIndex (§5.4.1)");
      assertEquals(1, m.getLogTerm(), "lastLogTerm (§5.4.1)");
    }
  }

  @Test
  @DisplayName("§5.2: a candidate increments its term and votes for itself")
  void candidateIncrementsTermAndVotesForItself() {
    PaperNode n = node(1).term(4).build();
    n.campaign();
    assertEquals(5, n.term());
    assertEquals(1, n.raft().votedFor());
    // ... and both are durable before any vote request can leave (Figure 2).
    assertEquals(HardState.newBuilder().setTerm(5).setVote(1).build(), n.storage.hardState());
  }

  @Test
  @DisplayName("§5.2: election timeouts are random in [T, 2T) and the node campaigns exactly "
      + "when its timeout elapses")
  void electionTimeoutIsRandomized() {
    int t = 10;
    Set<Integer> seen = new HashSet<>();
    for (long seed = 1; seed <= 100; seed++) {
      PaperNode n = node(1).electionTick(t).seed(seed).build();
      int timeout = n.raft().randomizedElectionTimeout();
      assertTrue(timeout >= t && timeout < 2 * t, "seed " + seed + ": timeout " + timeout);
      int ticks = 0;
      while (n.role() == StateRole.FOLLOWER) {
        n.tick(1);
        ticks++;
      }
      assertEquals(timeout, ticks, "seed " + seed);
      seen.add(timeout);
    }
    // With 100 seeds over 10 possible values, a fixed timeout would show up as one value.
    assertTrue(seen.size() > 5, "timeouts seen: " + seen);
  }

  @Test
  @DisplayName("§5.2: on conversion to candidate the election timer restarts: the next election "
      + "waits a whole new timeout")
  void conversionToCandidateResetsElectionTimer() {
    PaperNode n = node(1).term(1).build();
    n.tick(n.raft().randomizedElectionTimeout() - 1); // the follower's timer has nearly run out
    n.campaign(); // converted now, by a MsgHup (as a transfer's TimeoutNow does), not the timer
    assertEquals(StateRole.CANDIDATE, n.role());
    assertEquals(2, n.term());
    int timeout = n.raft().randomizedElectionTimeout();
    assertTrue(n.tick(timeout - 1).isEmpty(), "no new election before a whole new timeout");
    assertEquals(2, n.term());
    List<Message> out = n.tick(1);
    assertEquals(3, n.term(), "the split-vote retry comes exactly one timeout later");
    assertEquals(List.of(2L, 3L), recipients(out, MessageType.MSG_VOTE));
  }

  @Test
  @DisplayName("§5.2: each conversion to candidate draws a new random election timeout in "
      + "[T, 2T), so split votes do not repeat in lockstep")
  void conversionToCandidateRedrawsTimeout() {
    int t = 10;
    Set<Integer> seen = new HashSet<>();
    PaperNode n = node(1).electionTick(t).seed(7).build();
    for (int election = 0; election < 20; election++) {
      n.campaign();
      int timeout = n.raft().randomizedElectionTimeout();
      assertTrue(timeout >= t && timeout < 2 * t, "timeout " + timeout);
      seen.add(timeout);
    }
    // 20 draws over 10 values: a timeout drawn once per node would show up as one value.
    assertTrue(seen.size() > 3, "timeouts seen over 20 elections of one node: " + seen);
  }

  @Test
  @DisplayName("§5.2: a candidate that wins votes from a majority becomes leader")
  void majorityOfVotesWins() {
    PaperNode n = node(1).peers(1L, 2L, 3L, 4L, 5L).term(1).build();
    n.campaign();
    n.step(msg(MessageType.MSG_VOTE_RESP, 2, 1, 2));
    assertEquals(StateRole.CANDIDATE, n.role(), "2 of 5 votes is not a majority");
    n.step(msg(MessageType.MSG_VOTE_RESP, 3, 1, 2));
    assertEquals(StateRole.LEADER, n.role(), "3 of 5 votes is a majority");
    assertEquals(1, n.raft().lead());
    assertEquals(2, n.term());
  }

  @Test
  @DisplayName("§5.2: a candidate rejected by a majority returns to follower in the same term")
  void majorityOfRejectionsLoses() {
    PaperNode n = node(1).term(1).build();
    n.campaign();
    n.step(msg(MessageType.MSG_VOTE_RESP, 2, 1, 2).setReject(true));
    assertEquals(StateRole.CANDIDATE, n.role(), "node 3 may still grant");
    n.step(msg(MessageType.MSG_VOTE_RESP, 3, 1, 2).setReject(true));
    assertEquals(StateRole.FOLLOWER, n.role());
    assertEquals(2, n.term());
    assertEquals(0, n.raft().lead());
  }

  @Test
  @DisplayName("§5.2: a candidate that receives AppendEntries from a leader of its term becomes "
      + "its follower")
  void candidateYieldsToLeaderOfSameTerm() {
    PaperNode n = node(1).term(1).build();
    n.campaign();
    List<Message> out = n.step(app(2, 1, 2, 0, 0, 0));
    assertEquals(StateRole.FOLLOWER, n.role());
    assertEquals(2, n.term());
    assertEquals(2, n.raft().lead());
    assertFalse(single(out, MessageType.MSG_APP_RESP, 2).getReject());
  }

  @Test
  @DisplayName("§5.2: a candidate whose election times out (split vote) starts a new election "
      + "in the next term")
  void candidateRetriesInNextTerm() {
    PaperNode n = node(1).term(1).build();
    n.campaign();
    List<Message> out = n.tick(n.raft().randomizedElectionTimeout());
    assertEquals(StateRole.CANDIDATE, n.role());
    assertEquals(3, n.term());
    assertEquals(List.of(2L, 3L), recipients(out, MessageType.MSG_VOTE));
    assertEquals(3, out.get(0).getTerm());
  }

  @Test
  @DisplayName("§5.2: a node votes for at most one candidate per term, first come first served")
  void oneVotePerTerm() {
    PaperNode n = node(1).term(1).build();
    List<Message> first = n.step(msg(MessageType.MSG_VOTE, 2, 1, 2));
    assertFalse(single(first, MessageType.MSG_VOTE_RESP, 2).getReject());

    List<Message> second = n.step(msg(MessageType.MSG_VOTE, 3, 1, 2));
    assertTrue(single(second, MessageType.MSG_VOTE_RESP, 3).getReject(), "already voted for 2");
    assertEquals(2, n.raft().votedFor());

    // A retransmitted request from the candidate we chose is granted again (idempotent).
    List<Message> again = n.step(msg(MessageType.MSG_VOTE, 2, 1, 2));
    assertFalse(single(again, MessageType.MSG_VOTE_RESP, 2).getReject());
  }

  @Test
  @DisplayName("§5.2: a vote survives a restart: a node restarted from its HardState does not "
      + "vote twice in the same term")
  void voteSurvivesRestart() {
    PaperNode n = node(1).hardState(5, 2, 0).build(); // voted for 2 in term 5, then crashed
    assertTrue(single(n.step(msg(MessageType.MSG_VOTE, 3, 1, 5)), MessageType.MSG_VOTE_RESP, 3)
        .getReject());
    assertFalse(single(n.step(msg(MessageType.MSG_VOTE, 2, 1, 5)), MessageType.MSG_VOTE_RESP, 2)
        .getReject());
    assertEquals(5, n.term());
  }

  @Test
  @DisplayName("§5.2: a vote is persisted before the reply that grants it is sent")
  void voteIsPersistedBeforeReply() {
    PaperNode n = node(1).term(1).build();
    n.rn.step(msg(MessageType.MSG_VOTE, 2, 1, 2).build());
    Ready rd = n.cycle();
    assertEquals(HardState.newBuilder().setTerm(2).setVote(2).build(), rd.hardState());
    assertTrue(rd.mustSync(), "the vote must be fsynced before the reply leaves");
    assertFalse(single(rd.afterPersist(), MessageType.MSG_VOTE_RESP, 2).getReject());
    assertTrue(rd.messages().isEmpty(), "nothing leaves before the write");
  }

  @Test
  @DisplayName("§5.2: granting a vote restarts the follower's election timer")
  void grantingVoteResetsTimer() {
    PaperNode n = node(1).term(2).build();
    int timeout = n.raft().randomizedElectionTimeout();
    n.tick(timeout - 1);
    n.step(msg(MessageType.MSG_VOTE, 2, 1, 2)); // same term: the timeout is not re-drawn
    assertTrue(n.tick(timeout - 1).isEmpty(), "the timer restarted at the vote");
    assertEquals(StateRole.FOLLOWER, n.role());
    n.tick(1);
    assertEquals(StateRole.CANDIDATE, n.role());
  }

  @Test
  @DisplayName("§5.2: AppendEntries from the current leader restarts the follower's election "
      + "timer")
  void heartbeatResetsTimer() {
    PaperNode n = node(1).term(2).build();
    int timeout = n.raft().randomizedElectionTimeout();
    n.tick(timeout - 1);
    n.step(msg(MessageType.MSG_HEARTBEAT, 2, 1, 2));
    assertTrue(n.tick(timeout - 1).isEmpty(), "the timer restarted at the heartbeat");
    assertEquals(2, n.raft().lead());
    n.tick(1);
    assertEquals(StateRole.CANDIDATE, n.role());
  }

  @Test
  @DisplayName("§5.1: a leader that sees a higher term steps down to follower of that term")
  void leaderStepsDownOnHigherTerm() {
    PaperNode n = node(1).leader(2);
    n.step(msg(MessageType.MSG_HEARTBEAT, 3, 1, 5));
    assertEquals(StateRole.FOLLOWER, n.role());
    assertEquals(5, n.term());
    assertEquals(3, n.raft().lead(), "a heartbeat comes from the leader of term 5");
    assertEquals(0, n.raft().votedFor(), "§5.1: a new term starts with no vote");
  }

  @Test
  @DisplayName("§5.1: a candidate that sees a higher term in a reply steps down to follower")
  void candidateStepsDownOnHigherTermReply() {
    PaperNode n = node(1).term(1).build();
    n.campaign();
    n.step(msg(MessageType.MSG_VOTE_RESP, 3, 1, 7).setReject(true));
    assertEquals(StateRole.FOLLOWER, n.role());
    assertEquals(7, n.term());
    assertEquals(0, n.raft().lead(), "a vote reply names no leader");
    assertEquals(0, n.raft().votedFor());
  }

  @Test
  @DisplayName("§5.1: a request with a stale term is rejected and changes nothing")
  void staleTermRequestsChangeNothing() {
    PaperNode n = node(1).log(1, 3).hardState(3, 0, 0).build();
    List<Message> out = n.step(app(2, 1, 2, 0, 0, 0, PaperHarness.entry(1, 2)));
    out.addAll(n.step(msg(MessageType.MSG_VOTE, 2, 1, 2).setIndex(9).setLogTerm(9)));
    assertTrue(out.stream().noneMatch(m -> m.getType() == MessageType.MSG_VOTE_RESP
        && !m.getReject()), "no vote granted: " + out);
    assertEquals(List.of(1L, 3L), PaperHarness.terms(n), "log untouched");
    assertEquals(3, n.term());
    assertEquals(0, n.raft().votedFor());
  }

  @Test
  @DisplayName("§5.1: a deposed leader learns the newer term from the answer to its stale "
      + "append, and steps down")
  void deposedLeaderLearnsNewTerm() {
    PaperNode oldLeader = node(1).checkQuorum().leader(2);
    PaperNode follower = node(2).checkQuorum().term(3).build();
    List<Message> hb = oldLeader.tick(1); // heartbeatTick = 1
    Message toTwo = single(hb, MessageType.MSG_HEARTBEAT, 2);

    Message answer = single(follower.step(toTwo), MessageType.MSG_APP_RESP, 1);
    assertEquals(3, answer.getTerm());
    oldLeader.step(answer);
    assertEquals(StateRole.FOLLOWER, oldLeader.role());
    assertEquals(3, oldLeader.term());
  }
}
