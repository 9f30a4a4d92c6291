package raft.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.paper.PaperHarness.elect;
import static raft.paper.PaperHarness.node;
import static raft.paper.PaperHarness.ofType;
import static raft.paper.PaperHarness.single;
import static raft.paper.PaperHarness.terms;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.pb.Message;
import raft.pb.MessageType;
import raft.tracker.Progress;

/**
 * §5.3: "if followers crash or run slowly, or if network packets are lost, the leader retries
 * AppendEntries RPCs indefinitely". The transport may drop any message (Ready's contract), so
 * each flow-control state must have a way back to sending.
 */
class RetryPaperTest {

  private record Pair(PaperNode leader, PaperNode follower) {}

  /** Leader 1 and follower 2 (node 3 stays silent); 2 has the no-op and is in REPLICATE. */
  private static Pair replicating(int maxInflight) {
    PaperNode leader = node(1).maxInflight(maxInflight).build();
    PaperNode follower = node(2).build();
    Message noop = single(elect(leader), MessageType.MSG_APP, 2);
    leader.step(single(follower.step(noop), MessageType.MSG_APP_RESP, 1));
    assertEquals(Progress.State.REPLICATE, leader.raft().tracker().get(2).state());
    return new Pair(leader, follower);
  }

  /** Delivers messages between leader and follower until neither has more for the other. */
  private static void exchange(PaperNode leader, PaperNode follower, List<Message> toFollower) {
    List<Message> pending = ofTypeTo(toFollower, 2);
    for (int i = 0; !pending.isEmpty() && i < 20; i++) {
      List<Message> back = new ArrayList<>();
      for (Message m : pending) {
        back.addAll(ofTypeTo(follower.step(m), 1));
      }
      pending = new ArrayList<>();
      for (Message m : back) {
        pending.addAll(ofTypeTo(leader.step(m), 2));
      }
    }
  }

  private static List<Message> ofTypeTo(List<Message> msgs, long to) {
    return msgs.stream().filter(m -> m.getTo() == to).toList();
  }

  @Test
  @DisplayName("§5.3: a leader re-sends a lost probe once the follower answers a heartbeat")
  void lostProbeIsRetried() {
    PaperNode leader = node(1).leader(2); // its no-op probes are lost
    assertTrue(ofType(leader.propose("x"), MessageType.MSG_APP).isEmpty(),
        "a probing follower gets one append at a time");
    Message hb = single(leader.tick(1), MessageType.MSG_HEARTBEAT, 2);
    List<Message> out = leader.step(PaperHarness.msg(MessageType.MSG_HEARTBEAT_RESP, 2, 1, 2)
        .setContext(hb.getContext()));
    Message retry = single(out, MessageType.MSG_APP, 2);
    assertEquals(0, retry.getIndex());
    assertEquals(2, retry.getEntriesCount(), "the no-op and x");
  }

  @Test
  @DisplayName("§5.3: a follower that missed a pipelined append rejects the next one and the "
      + "leader re-sends from its matchIndex")
  void lostPipelinedAppendIsRepaired() {
    Pair p = replicating(256);
    PaperNode leader = p.leader();
    PaperNode follower = p.follower();
    leader.propose("a"); // lost
    List<Message> b = leader.propose("b");
    exchange(leader, follower, b);
    assertEquals(List.of(1L, 1L, 1L), terms(follower), "no-op, a and b");
  }

  @Test
  @DisplayName("§5.3: a leader recovers a follower whose whole in-flight window of appends was "
      + "lost")
  void lostFullWindowIsRetried() {
    Pair p = replicating(2);
    PaperNode leader = p.leader();
    PaperNode follower = p.follower();
    leader.propose("a"); // these two fill the window and are lost
    leader.propose("b");
    leader.propose("c"); // paused: not sent
    for (int round = 0; round < 5; round++) {
      exchange(leader, follower, leader.tick(1)); // heartbeatTick = 1
    }
    assertEquals(4, follower.raft().log().lastIndex(), "no-op, a, b and c");
  }
}
