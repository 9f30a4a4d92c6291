package raft.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.paper.PaperHarness.ackAll;
import static raft.paper.PaperHarness.appResp;
import static raft.paper.PaperHarness.elect;
import static raft.paper.PaperHarness.msg;
import static raft.paper.PaperHarness.node;
import static raft.paper.PaperHarness.ofType;
import static raft.paper.PaperHarness.single;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.core.ReadState;
import raft.pb.Message;
import raft.pb.MessageType;
import raft.tracker.Progress;

/**
 * The leader's replication and read paths in the corners ReplicationPaperTest and
 * ReadIndexPaperTest leave open. Each test was written against a mutant of Replication that
 * scripts/mutation showed surviving.
 */
class ReplicationRulesPaperTest {

  private static PaperNode settledLeader() {
    PaperNode n = node(1).leader(2);
    ackAll(n);
    return n;
  }

  /** Answers every heartbeat in {@code out} from its addressee; returns what the leader sent. */
  private static List<Message> answerHeartbeats(PaperNode n, List<Message> out) {
    List<Message> next = new ArrayList<>();
    for (Message hb : ofType(out, MessageType.MSG_HEARTBEAT)) {
      next.addAll(n.step(msg(MessageType.MSG_HEARTBEAT_RESP, hb.getTo(), 1, hb.getTerm())
          .setContext(hb.getContext())));
    }
    return next;
  }

  @Test
  @DisplayName("Thesis §6.4: a single-voter leader serves a read at once: its own vote is the "
      + "quorum")
  void singleVoterServesReadAtOnce() {
    PaperNode n = node(1).peers(1L).term(1).build();
    n.campaign();
    n.readIndex("r");
    assertEquals(List.of(new ReadState(1, ByteString.copyFromUtf8("r"))), n.readStates);
  }

  @Test
  @DisplayName("Thesis §6.4: a read held until the leader's first commit is answered once, not "
      + "again at the next commit")
  void heldReadAnsweredOnce() {
    PaperNode n = node(1).leader(2);
    n.readIndex("a"); // held: the no-op of term 2 is not committed yet
    answerHeartbeats(n, ackAll(n));
    assertEquals(1, n.readStates.size(), n.readStates::toString);

    n.propose("x");
    answerHeartbeats(n, ackAll(n));
    answerHeartbeats(n, n.tick(1));
    assertEquals(1, n.readStates.size(), "answered twice: " + n.readStates);
  }

  @Test
  @DisplayName("§5.3: a leader ignores replies from a node that is not a member")
  void repliesFromNonMembersIgnored() {
    PaperNode n = settledLeader();
    assertTrue(n.step(appResp(9, 1, 2, 1)).isEmpty());
    assertTrue(n.step(msg(MessageType.MSG_HEARTBEAT_RESP, 9, 1, 2)).isEmpty());
  }

  @Test
  @DisplayName("§5.3: a stale rejection (of an append sent before the last acknowledged one) "
      + "changes nothing")
  void staleRejectionIgnored() {
    PaperNode n = settledLeader();
    List<Message> out = n.step(appResp(2, 1, 2, 0).setReject(true).setRejectHint(0));
    assertTrue(ofType(out, MessageType.MSG_APP).isEmpty(), out::toString);
    assertEquals(Progress.State.REPLICATE, n.raft().tracker().get(2).state());
  }

  @Test
  @DisplayName("§5.3 fast backtracking: a rejection whose hint has no term (the follower's entry "
      + "there is compacted) retries right after the hinted index")
  void rejectionHintWithoutTerm() {
    PaperNode n = node(1).log(1, 1, 1, 1, 1).term(1).build();
    Message probe = single(elect(n), MessageType.MSG_APP, 2);
    assertEquals(5, probe.getIndex());
    List<Message> out = n.step(appResp(2, 1, 2, 5).setReject(true).setRejectHint(3).setLogTerm(0));
    assertEquals(3, single(out, MessageType.MSG_APP, 2).getIndex());
  }

  @Test
  @DisplayName("§5.3: an unreachable follower is probed again, and an answer to the probe that "
      + "matches what the leader already knew resumes pipelining")
  void unreachableFollowerResumesAfterProbeMatch() {
    PaperNode n = settledLeader();
    n.rn.reportUnreachable(2);
    n.persist();
    assertEquals(Progress.State.PROBE, n.raft().tracker().get(2).state());
    n.step(appResp(2, 1, 2, 1)); // nothing new: match was already 1
    assertEquals(Progress.State.REPLICATE, n.raft().tracker().get(2).state());
  }

  @Test
  @DisplayName("§7: when the runtime reports a failed snapshot send, the leader stops waiting "
      + "and probes the follower again")
  void failedSnapshotSendFallsBackToProbe() {
    PaperNode n = node(1).log(1, 1, 1, 1, 1).hardState(1, 0, 5).compactedAt(5).build();
    elect(n);
    n.step(appResp(2, 1, 2, 5).setReject(true).setRejectHint(0));
    assertEquals(Progress.State.SNAPSHOT, n.raft().tracker().get(2).state());
    n.rn.reportSnapshot(2, false);
    n.persist();
    assertEquals(Progress.State.PROBE, n.raft().tracker().get(2).state());
  }
}
