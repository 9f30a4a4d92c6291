package raft.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.paper.PaperHarness.ackAll;
import static raft.paper.PaperHarness.appResp;
import static raft.paper.PaperHarness.elect;
import static raft.paper.PaperHarness.msg;
import static raft.paper.PaperHarness.node;
import static raft.paper.PaperHarness.ofType;
import static raft.paper.PaperHarness.recipients;
import static raft.paper.PaperHarness.single;

import com.google.protobuf.ByteString;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.core.StateRole;
import raft.pb.Message;
import raft.pb.MessageType;

/**
 * Thesis §3.10, leadership transfer: the leader stops taking proposals, brings the transferee's
 * log up to date, then sends it TimeoutNow so it campaigns at once and wins without waiting for
 * an election timeout.
 */
class TransferPaperTest {
  private static final ByteString TRANSFER = ByteString.copyFromUtf8("transfer");

  /** A leader of term 2 whose no-op (index 1) every follower has. */
  private static PaperNode settledLeader() {
    PaperNode n = node(1).leader(2);
    ackAll(n);
    return n;
  }

  @Test
  @DisplayName("Thesis §3.10: a leader sends TimeoutNow at once to a transferee whose log is "
      + "up to date")
  void upToDateTransfereeGetsTimeoutNow() {
    PaperNode n = settledLeader();
    n.rn.transferLeader(2);
    Message m = single(n.persist(), MessageType.MSG_TIMEOUT_NOW, 2);
    assertEquals(2, m.getTerm());
    assertEquals(2, n.raft().leadTransferee());
  }

  @Test
  @DisplayName("Thesis §3.10: a leader first brings a lagging transferee's log up to date and "
      + "sends TimeoutNow only once it has caught up")
  void laggingTransfereeCatchesUpFirst() {
    PaperNode leader = node(1).log(1, 1, 1).term(1).build();
    PaperNode transferee = node(2).log(1).term(1).build();
    Message probe = single(elect(leader), MessageType.MSG_APP, 2);
    leader.step(appResp(3, 1, 2, 4)); // node 3 is up to date; the no-op commits

    leader.rn.transferLeader(2);
    assertTrue(ofType(leader.persist(), MessageType.MSG_TIMEOUT_NOW).isEmpty());

    Message reject = single(transferee.step(probe), MessageType.MSG_APP_RESP, 1);
    List<Message> retry = leader.step(reject);
    assertTrue(ofType(retry, MessageType.MSG_TIMEOUT_NOW).isEmpty(), "not caught up yet");
    Message catchUp = single(retry, MessageType.MSG_APP, 2);
    Message ack = single(transferee.step(catchUp), MessageType.MSG_APP_RESP, 1);
    assertEquals(4, ack.getIndex());
    single(leader.step(ack), MessageType.MSG_TIMEOUT_NOW, 2);
  }

  @Test
  @DisplayName("Thesis §3.10: a leader refuses proposals while a transfer is in progress")
  void proposalsRefusedDuringTransfer() {
    PaperNode n = settledLeader();
    n.rn.transferLeader(2);
    n.persist();
    assertFalse(n.rn.propose(ByteString.copyFromUtf8("x")));
    assertEquals(1, n.raft().log().lastIndex(), "nothing appended");
  }

  @Test
  @DisplayName("Thesis §3.10: a transfer that has not completed within an election timeout is "
      + "aborted and the leader takes proposals again")
  void transferAbortsAfterElectionTimeout() {
    PaperNode n = node(1).electionTick(10).leader(2);
    ackAll(n);
    n.rn.transferLeader(2);
    n.tick(9);
    assertEquals(2, n.raft().leadTransferee(), "still within the election timeout");
    n.tick(1);
    assertEquals(0, n.raft().leadTransferee());
    assertEquals(StateRole.LEADER, n.role());
    n.propose("x");
    assertEquals(2, n.raft().log().lastIndex());
  }

  @Test
  @DisplayName("Thesis §3.10: on TimeoutNow the transferee campaigns at once, skipping the "
      + "pre-vote, with a vote request marked as a transfer")
  void timeoutNowStartsElectionImmediately() {
    PaperNode n = node(2).preVote().checkQuorum().term(2).build();
    n.step(msg(MessageType.MSG_HEARTBEAT, 1, 2, 2));
    List<Message> out = n.step(msg(MessageType.MSG_TIMEOUT_NOW, 1, 2, 2));
    assertEquals(StateRole.CANDIDATE, n.role());
    assertEquals(3, n.term());
    assertEquals(List.of(1L, 3L), recipients(out, MessageType.MSG_VOTE));
    for (Message m : out) {
      assertEquals(TRANSFER, m.getContext());
    }
  }

  @Test
  @DisplayName("Thesis §4.2.3: a vote request caused by a leadership transfer is granted even by "
      + "a follower that heard from the leader recently")
  void transferVoteOverridesLease() {
    PaperNode n = node(3).preVote().checkQuorum().term(2).build();
    n.step(msg(MessageType.MSG_HEARTBEAT, 1, 3, 2)); // in lease
    Message resp = single(n.step(msg(MessageType.MSG_VOTE, 2, 3, 3).setContext(TRANSFER)),
        MessageType.MSG_VOTE_RESP, 2);
    assertFalse(resp.getReject());
    assertEquals(3, n.term());
    assertEquals(2, n.raft().votedFor());
  }

  @Test
  @DisplayName("Thesis §3.10: the old leader grants the transferee's vote and steps down")
  void oldLeaderStepsDownForTransferee() {
    PaperNode n = node(1).preVote().checkQuorum().leader(2);
    ackAll(n);
    Message vote = msg(MessageType.MSG_VOTE, 2, 1, 3).setIndex(1).setLogTerm(2)
        .setContext(TRANSFER).build();
    assertFalse(single(n.step(vote), MessageType.MSG_VOTE_RESP, 2).getReject());
    assertEquals(StateRole.FOLLOWER, n.role());
    assertEquals(3, n.term());
  }
}
