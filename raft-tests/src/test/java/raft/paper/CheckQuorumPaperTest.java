package raft.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static raft.paper.PaperHarness.msg;
import static raft.paper.PaperHarness.node;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.core.StateRole;
import raft.pb.MessageType;

/**
 * CheckQuorum (thesis §6.2): a leader that cannot reach a majority steps down, so clients stop
 * waiting on it and (with §4.2.3) followers stop honouring its lease.
 */
class CheckQuorumPaperTest {
  private static final int ELECTION = 10;

  @Test
  @DisplayName("Thesis §6.2: a leader that hears from no majority for an election timeout steps "
      + "down to follower")
  void leaderWithoutQuorumStepsDown() {
    PaperNode n = node(1).checkQuorum().electionTick(ELECTION).leader(2);
    n.tick(ELECTION - 1);
    assertEquals(StateRole.LEADER, n.role(), "not a whole election timeout yet");
    n.tick(1);
    assertEquals(StateRole.FOLLOWER, n.role());
    assertEquals(2, n.term(), "stepping down does not start a new term");
    assertEquals(0, n.raft().lead());
  }

  @Test
  @DisplayName("Thesis §6.2: a leader that heard from a majority in the last election timeout "
      + "stays leader, and the check starts over each timeout")
  void leaderWithQuorumStays() {
    PaperNode n = node(1).checkQuorum().electionTick(ELECTION).leader(2);
    n.tick(ELECTION - 1);
    n.step(msg(MessageType.MSG_HEARTBEAT_RESP, 2, 1, 2)); // node 2 + itself = 2 of 3
    n.tick(1);
    assertEquals(StateRole.LEADER, n.role());

    n.tick(ELECTION); // a whole timeout with no answers
    assertEquals(StateRole.FOLLOWER, n.role());
  }
}
