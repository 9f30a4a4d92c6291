package raft.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.paper.PaperHarness.ackAll;
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
import raft.core.ReadState;
import raft.core.StateRole;
import raft.pb.Message;
import raft.pb.MessageType;

/**
 * Thesis §6.4, linearizable reads without writing the log: the read index is the commitIndex at
 * the read's arrival, served only after (1) the leader committed an entry of its term and (2) a
 * majority answered a heartbeat sent after the read arrived, proving no newer leader existed.
 */
class ReadIndexPaperTest {

  /** A leader of term 2 (3 voters) whose no-op (index 1) is committed and acknowledged by all. */
  private static PaperNode settledLeader() {
    PaperNode n = node(1).leader(2);
    ackAll(n);
    assertEquals(1, n.commit());
    return n;
  }

  private static Message hbResp(long from, Message heartbeat) {
    return msg(MessageType.MSG_HEARTBEAT_RESP, from, 1, heartbeat.getTerm())
        .setContext(heartbeat.getContext()).build();
  }

  private static ReadState rs(long index, String ctx) {
    return new ReadState(index, ByteString.copyFromUtf8(ctx));
  }

  @Test
  @DisplayName("Thesis §6.4: the leader confirms its leadership with a heartbeat round; the "
      + "ReadState appears only once a majority answered it")
  void readWaitsForHeartbeatQuorum() {
    PaperNode n = settledLeader();
    List<Message> out = n.readIndex("a");
    assertEquals(List.of(2L, 3L), recipients(out, MessageType.MSG_HEARTBEAT));
    assertTrue(n.readStates.isEmpty(), "not before a majority answered");

    n.step(hbResp(2, out.get(0)));
    assertEquals(List.of(rs(1, "a")), n.readStates, "leader + node 2 are a majority");
  }

  @Test
  @DisplayName("Thesis §6.4: reads that arrive while a heartbeat round is in flight share the "
      + "next round: one round per batch, not per read")
  void readsShareOneRound() {
    PaperNode n = settledLeader();
    Message round1 = ofType(n.readIndex("a"), MessageType.MSG_HEARTBEAT).get(0);
    for (String ctx : List.of("b", "c", "d")) {
      assertTrue(ofType(n.readIndex(ctx), MessageType.MSG_HEARTBEAT).isEmpty(), ctx);
    }

    List<Message> round2 = ofType(n.step(hbResp(2, round1)), MessageType.MSG_HEARTBEAT);
    assertEquals(List.of(rs(1, "a")), n.readStates);
    assertEquals(List.of(2L, 3L), recipients(round2, MessageType.MSG_HEARTBEAT),
        "one more round, for b, c and d together");

    n.step(hbResp(3, round2.get(1)));
    assertEquals(List.of(rs(1, "a"), rs(1, "b"), rs(1, "c"), rs(1, "d")), n.readStates);
  }

  @Test
  @DisplayName("Thesis §6.4: an answer to a heartbeat sent before the read arrived does not "
      + "confirm the read")
  void earlierRoundDoesNotConfirm() {
    PaperNode n = settledLeader();
    Message before = single(n.tick(1), MessageType.MSG_HEARTBEAT, 2); // heartbeatTick = 1
    Message after = single(n.readIndex("a"), MessageType.MSG_HEARTBEAT, 2);

    n.step(hbResp(2, before));
    assertTrue(n.readStates.isEmpty(), "node 2 may have answered before a new leader rose");
    n.step(hbResp(2, after));
    assertEquals(List.of(rs(1, "a")), n.readStates);
  }

  @Test
  @DisplayName("Thesis §6.4: a new leader holds reads until an entry of its own term (the §8 "
      + "no-op) is committed, then reads at that index")
  void readWaitsForNoopCommit() {
    PaperNode n = node(1).log(1, 1).leader(2); // entries 1-2 of term 1 may be committed
    List<Message> out = n.readIndex("a");
    assertTrue(ofType(out, MessageType.MSG_HEARTBEAT).isEmpty());
    assertEquals(0, n.commit(), "its commitIndex lags: using it would be a stale read");

    Message hb = ofType(ackAll(n), MessageType.MSG_HEARTBEAT).get(0);
    assertEquals(3, n.commit());
    n.step(hbResp(2, hb));
    assertEquals(List.of(rs(3, "a")), n.readStates);
  }

  @Test
  @DisplayName("Thesis §6.4: a follower forwards a read to the leader and gets the read index "
      + "back once the leader confirmed it")
  void followerReadThroughLeader() {
    PaperNode leader = node(1).build();
    PaperNode follower = node(2).build();
    Message noop = single(elect(leader), MessageType.MSG_APP, 2);
    leader.step(single(follower.step(noop), MessageType.MSG_APP_RESP, 1));
    assertEquals(1, leader.commit());

    Message req = single(follower.readIndex("f"), MessageType.MSG_READ_INDEX, 1);
    Message hb = single(leader.step(req), MessageType.MSG_HEARTBEAT, 2);
    Message hbAck = single(follower.step(hb), MessageType.MSG_HEARTBEAT_RESP, 1);
    Message resp = single(leader.step(hbAck), MessageType.MSG_READ_INDEX_RESP, 2);
    assertEquals(1, resp.getIndex());

    follower.step(resp);
    assertEquals(List.of(rs(1, "f")), follower.readStates);
    assertTrue(leader.readStates.isEmpty(), "the answer went to the follower");
  }

  @Test
  @DisplayName("Thesis §6.4: a leader deposed before the heartbeat round completes never "
      + "serves the read")
  void deposedLeaderNeverServesRead() {
    PaperNode n = settledLeader();
    Message hb = ofType(n.readIndex("a"), MessageType.MSG_HEARTBEAT).get(0);
    n.step(msg(MessageType.MSG_HEARTBEAT, 3, 1, 3)); // node 3 leads term 3
    assertEquals(StateRole.FOLLOWER, n.role());
    n.step(hbResp(2, hb)); // the old round's answer arrives late
    assertTrue(n.readStates.isEmpty());
  }

  @Test
  @DisplayName("Thesis §6.4: a node that knows no leader refuses a read (the client retries)")
  void noLeaderRefusesRead() {
    PaperNode n = node(1).term(1).build();
    assertFalse(n.rn.readIndex(ByteString.copyFromUtf8("a")));
    assertTrue(n.persist().isEmpty());
  }

  @Test
  @DisplayName("Thesis §6.4: a single-voter leader that committed an entry of its term serves "
      + "a read at once: its own vote is the quorum")
  void singleVoterReadsAtOnce() {
    PaperNode n = node(1).peers(1L).build();
    n.campaign();
    assertEquals(1, n.commit());
    assertTrue(n.readIndex("a").isEmpty(), "no heartbeat round needed");
    assertEquals(List.of(rs(1, "a")), n.readStates);
  }

  @Test
  @DisplayName("Thesis §6.4: a single-voter leader also holds reads until its term's no-op is "
      + "committed")
  void singleVoterWaitsForNoop() {
    // Before the crash: entries 1-2 durable, commit 2 applied and acknowledged to a client,
    // but only commit 1 reached the disk (Ready.mustSync is false for a commit-only change).
    PaperNode n = node(1).peers(1L).log(1, 1).hardState(1, 0, 1).build();
    n.rn.campaign();
    n.cycle(); // its vote for itself is durable: it wins alone; its no-op (index 3) is not yet
    n.rn.readIndex(ByteString.copyFromUtf8("a")); // a read arriving in the same loop turn
    n.persist();
    assertEquals(3, n.commit());
    assertEquals(List.of(rs(3, "a")), n.readStates, "read index 1 would miss entry 2's write");
  }
}
