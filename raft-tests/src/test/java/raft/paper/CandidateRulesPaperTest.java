package raft.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.paper.PaperHarness.msg;
import static raft.paper.PaperHarness.node;
import static raft.paper.PaperHarness.single;

import com.google.protobuf.ByteString;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.core.StateRole;
import raft.pb.Message;
import raft.pb.MessageType;
import raft.pb.Snapshot;
import raft.pb.SnapshotMetadata;

/**
 * Who may campaign, and what a (pre-)candidate counts and obeys (§5.2, thesis §9.6, §6.2): the
 * corners that the election tests leave open. Each was written against a mutant of the rule that
 * scripts/mutation showed surviving.
 */
class CandidateRulesPaperTest {


  private static PaperNode fiveNodes(boolean preVote) {
    PaperHarness.Builder b = node(1).peers(1L, 2L, 3L, 4L, 5L).term(2);
    return (preVote ? b.preVote() : b).build();
  }

  @Test
  @DisplayName("§5.2: a node that is not a voter never campaigns, even when asked to")
  void nonVoterDoesNotCampaign() {
    PaperNode n = node(4).peers(1L, 2L, 3L).term(2).build();
    assertTrue(n.campaign().isEmpty());
    assertTrue(n.tick(40).isEmpty(), "no election timeout starts an election either");
    assertEquals(StateRole.FOLLOWER, n.role());
    assertEquals(2, n.term());
  }

  @Test
  @DisplayName("§7: a follower that has not yet persisted an incoming snapshot does not campaign")
  void pendingSnapshotBlocksCampaign() {
    PaperNode n = node(1).term(2).build();
    Snapshot s = Snapshot.newBuilder().setMetadata(SnapshotMetadata.newBuilder().setIndex(5)
        .setTerm(2).setConfState(PaperHarness.voters(1L, 2L, 3L))).build();
    n.rn.step(msg(MessageType.MSG_SNAP, 2, 1, 2).setSnapshot(s).build());
    n.rn.campaign(); // before the runtime persisted the snapshot
    assertEquals(StateRole.FOLLOWER, n.role());
    assertEquals(2, n.term());
  }

  @Test
  @DisplayName("§5.2: a leader ignores an election timeout of its own: no new term, no votes")
  void leaderIgnoresCampaign() {
    PaperNode n = node(1).leader(3);
    List<Message> out = n.campaign();
    assertEquals(StateRole.LEADER, n.role());
    assertEquals(3, n.term());
    assertTrue(out.stream().noneMatch(m -> m.getType() == MessageType.MSG_VOTE), out::toString);
  }

  @Test
  @DisplayName("§5.2: a candidate that receives a heartbeat from a leader of its term becomes "
      + "its follower and answers it")
  void candidateYieldsToHeartbeat() {
    PaperNode n = node(1).term(1).build();
    n.campaign();
    List<Message> out = n.step(msg(MessageType.MSG_HEARTBEAT, 2, 1, 2).setCommit(0));
    assertEquals(StateRole.FOLLOWER, n.role());
    assertEquals(2, n.raft().lead());
    single(out, MessageType.MSG_HEARTBEAT_RESP, 2);
  }

  @Test
  @DisplayName("§7: a candidate that receives a snapshot from a leader of its term becomes its "
      + "follower and installs it")
  void candidateYieldsToSnapshot() {
    PaperNode n = node(1).term(1).build();
    n.campaign();
    Snapshot s = Snapshot.newBuilder().setMetadata(SnapshotMetadata.newBuilder().setIndex(4)
        .setTerm(2).setConfState(PaperHarness.voters(1L, 2L, 3L))).build();
    List<Message> out = n.step(msg(MessageType.MSG_SNAP, 2, 1, 2).setSnapshot(s));
    assertEquals(StateRole.FOLLOWER, n.role());
    assertEquals(2, n.raft().lead());
    assertEquals(4, single(out, MessageType.MSG_APP_RESP, 2).getIndex());
    assertEquals(4, n.commit());
  }

  @Test
  @DisplayName("§5.2: a candidate knows no leader, so it refuses proposals")
  void candidateRefusesProposals() {
    PaperNode n = node(1).term(1).build();
    n.campaign();
    assertFalse(n.rn.propose(ByteString.copyFromUtf8("x")));
    assertFalse(n.rn.readIndex(ByteString.copyFromUtf8("r")));
    assertTrue(n.rn.step(msg(MessageType.MSG_VOTE_RESP, 2, 1, 2).setReject(true).build()),
        "a vote reply is taken, not dropped");
  }

  @Test
  @DisplayName("Thesis §9.6: late pre-vote grants are not votes: a candidate counts only "
      + "RequestVote grants")
  void latePreVoteGrantsAreNotVotes() {
    PaperNode n = fiveNodes(true);
    n.campaign();
    n.step(msg(MessageType.MSG_PRE_VOTE_RESP, 2, 1, 3));
    n.step(msg(MessageType.MSG_PRE_VOTE_RESP, 3, 1, 3));
    assertEquals(StateRole.CANDIDATE, n.role());
    assertEquals(3, n.term());

    n.step(msg(MessageType.MSG_PRE_VOTE_RESP, 4, 1, 3)); // late answers to the pre-vote round
    n.step(msg(MessageType.MSG_PRE_VOTE_RESP, 5, 1, 3));
    assertEquals(StateRole.CANDIDATE, n.role(), "no real vote was granted yet");
  }

  @Test
  @DisplayName("Thesis §9.6: each pre-vote round counts only its own answers, not refusals "
      + "from the election before it")
  void preVoteRoundStartsWithFreshCount() {
    PaperNode n = node(1).preVote().term(2).build();
    n.campaign();
    n.step(msg(MessageType.MSG_PRE_VOTE_RESP, 2, 1, 3));
    assertEquals(StateRole.CANDIDATE, n.role());
    n.step(msg(MessageType.MSG_VOTE_RESP, 2, 1, 3).setReject(true)); // 2 voted for someone else

    n.campaign(); // the election times out: a new pre-vote round at term 4
    assertEquals(StateRole.PRE_CANDIDATE, n.role());
    n.step(msg(MessageType.MSG_PRE_VOTE_RESP, 2, 1, 4));
    assertEquals(StateRole.CANDIDATE, n.role(), "2's grant in this round is a majority with ours");
    assertEquals(4, n.term());
  }

  @Test
  @DisplayName("Thesis §4.2.3: a follower that heard from its leader within the election timeout "
      + "ignores a pre-vote request too")
  void followerInLeaseIgnoresPreVote() {
    PaperNode n = node(1).preVote().checkQuorum().term(2).build();
    n.step(msg(MessageType.MSG_HEARTBEAT, 2, 1, 2));
    assertTrue(n.step(msg(MessageType.MSG_PRE_VOTE, 3, 1, 3)).isEmpty());
    assertEquals(2, n.raft().lead());
  }

  @Test
  @DisplayName("Thesis §4.2.3: a follower with CheckQuorum that knows no leader grants a "
      + "higher-term vote at once (no lease without a leader)")
  void noLeaseWithoutLeader() {
    PaperNode n = node(1).checkQuorum().term(2).build();
    Message resp = single(n.step(msg(MessageType.MSG_VOTE, 3, 1, 3)), MessageType.MSG_VOTE_RESP, 3);
    assertFalse(resp.getReject());
  }

  @Test
  @DisplayName("Thesis §6.2: a new leader gets a whole election timeout to hear from a majority, "
      + "however long its election took")
  void newLeaderGetsFullCheckQuorumWindow() {
    PaperNode n = node(1).checkQuorum().term(1).build();
    n.campaign();
    n.tick(5); // a slow election: half an election timeout as candidate
    n.step(msg(MessageType.MSG_VOTE_RESP, 2, 1, 2));
    assertEquals(StateRole.LEADER, n.role());

    n.tick(9); // electionTick - 1
    assertEquals(StateRole.LEADER, n.role(), "no CheckQuorum before a full election timeout");
    n.tick(1);
    assertEquals(StateRole.FOLLOWER, n.role(), "nobody answered: it steps down");
  }

  @Test
  @DisplayName("§5.2: a leader that stepped down and wins again drops the reads it held for its "
      + "old term (their clients retry)")
  void heldReadsDoNotOutliveTheTerm() {
    PaperNode n = node(1).leader(2);
    n.readIndex("old"); // held until the no-op of term 2 commits (thesis §6.4)
    n.step(msg(MessageType.MSG_HEARTBEAT, 2, 1, 3)); // a leader of term 3 exists
    assertEquals(StateRole.FOLLOWER, n.role());

    n.campaign();
    n.step(msg(MessageType.MSG_VOTE_RESP, 2, 1, 4));
    assertEquals(StateRole.LEADER, n.role());
    for (Message hb : PaperHarness.ofType(PaperHarness.ackAll(n), MessageType.MSG_HEARTBEAT)) {
      n.step(msg(MessageType.MSG_HEARTBEAT_RESP, hb.getTo(), 1, 4).setContext(hb.getContext()));
    }
    assertTrue(n.readStates.isEmpty(), "no answer to a read of term 2: " + n.readStates);
  }

  @Test
  @DisplayName("§5.2: a follower forwards a proposal to its leader without a term, so that a "
      + "leader of a newer term still takes it")
  void forwardedProposalCarriesNoTerm() {
    PaperNode n = node(1).term(2).build();
    n.step(msg(MessageType.MSG_HEARTBEAT, 2, 1, 2));
    Message fwd = single(n.propose("x"), MessageType.MSG_PROP, 2);
    assertEquals(0, fwd.getTerm());
    assertEquals(1, fwd.getFrom());
    assertEquals(1, fwd.getEntriesCount());
    Message read = single(n.readIndex("r"), MessageType.MSG_READ_INDEX, 2);
    assertEquals(0, read.getTerm(), "a forwarded read carries no term either");
  }
}
