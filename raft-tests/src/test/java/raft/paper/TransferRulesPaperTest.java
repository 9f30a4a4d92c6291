package raft.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.paper.PaperHarness.ackAll;
import static raft.paper.PaperHarness.node;
import static raft.paper.PaperHarness.ofType;
import static raft.paper.PaperHarness.single;

import com.google.protobuf.ByteString;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.pb.Message;
import raft.pb.MessageType;

/**
 * Leadership transfer (thesis §3.10) in the cases TransferPaperTest leaves open: requests that
 * must be ignored, a repeated request, and a transferee that lags by entries in flight. Written
 * against mutants of Replication.transferLeader that survived.
 */
class TransferRulesPaperTest {

  private static PaperNode settledLeader() {
    PaperNode n = node(1).leader(2);
    ackAll(n);
    return n;
  }

  @Test
  @DisplayName("Thesis §3.10: a transfer to a node that is not a voter, or to the leader itself, "
      + "is ignored and proposals go on")
  void transferToNonVoterOrSelfIgnored() {
    PaperNode n = settledLeader();
    for (long target : new long[] {9, 1}) {
      n.rn.transferLeader(target);
      assertTrue(ofType(n.persist(), MessageType.MSG_TIMEOUT_NOW).isEmpty());
      assertEquals(0, n.raft().leadTransferee(), "target " + target);
    }
    n.propose("still taken");
  }

  @Test
  @DisplayName("Thesis §3.10: a repeated request for a transfer in progress sends no second "
      + "TimeoutNow")
  void repeatedTransferRequestIsIdempotent() {
    PaperNode n = settledLeader();
    n.rn.transferLeader(2);
    single(n.persist(), MessageType.MSG_TIMEOUT_NOW, 2);
    n.rn.transferLeader(2);
    assertTrue(ofType(n.persist(), MessageType.MSG_TIMEOUT_NOW).isEmpty());
  }

  @Test
  @DisplayName("Thesis §3.10: a transferee that lacks entries still in flight is sent an append "
      + "at once, and TimeoutNow when it acknowledges them")
  void laggingTransfereeIsSentAppendAtOnce() {
    PaperNode n = settledLeader();
    n.propose("x"); // index 2, sent to 2 and 3, not yet acknowledged
    n.rn.transferLeader(2);
    List<Message> out = n.persist();
    assertTrue(ofType(out, MessageType.MSG_TIMEOUT_NOW).isEmpty());
    single(out, MessageType.MSG_APP, 2);
    assertTrue(ofType(n.step(PaperHarness.appResp(3, 1, 2, 2)), MessageType.MSG_TIMEOUT_NOW)
        .isEmpty(), "node 3 caught up, but it is not the transferee");
    List<Message> after = n.step(PaperHarness.appResp(2, 1, 2, 2));
    single(after, MessageType.MSG_TIMEOUT_NOW, 2);
    assertFalse(n.rn.propose(ByteString.copyFromUtf8("refused during the transfer")));
  }
}
