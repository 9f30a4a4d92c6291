package raft.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.paper.PaperHarness.ackAll;
import static raft.paper.PaperHarness.msg;
import static raft.paper.PaperHarness.node;
import static raft.paper.PaperHarness.ofType;
import static raft.paper.PaperHarness.single;

import com.google.protobuf.ByteString;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.core.ReadState;
import raft.pb.Entry;
import raft.pb.Message;
import raft.pb.MessageType;

/**
 * The leader's side in the corners the replication and read tests leave open. Each test was
 * written against a mutant of Replication that scripts/mutation showed surviving.
 */
class LeaderRulesPaperTest {

  @Test
  @DisplayName("§5.3: a batch of proposals gets consecutive indexes after the leader's last "
      + "entry, all with the leader's term")
  void batchGetsConsecutiveIndexes() {
    PaperNode n = node(1).leader(2);
    ackAll(n);
    List<Message> out = n.propose("a", "b", "c");
    Message app = single(out, MessageType.MSG_APP, 2);
    List<Entry> ents = app.getEntriesList();
    assertEquals(List.of(2L, 3L, 4L), ents.stream().map(Entry::getIndex).toList());
    assertTrue(ents.stream().allMatch(e -> e.getTerm() == 2));
    assertEquals(List.of("a", "b", "c"),
        ents.stream().map(e -> e.getData().toStringUtf8()).toList());
    assertEquals(4, n.raft().log().lastIndex());
  }

  @Test
  @DisplayName("Thesis §6.4: a read is confirmed by its heartbeat round however many rounds came "
      + "before (round numbers beyond one byte)")
  void readConfirmedAfterManyRounds() {
    PaperNode n = node(1).leader(2);
    ackAll(n);
    n.tick(300); // 300 heartbeat rounds, none answered
    Message hb = ofType(n.readIndex("r"), MessageType.MSG_HEARTBEAT).get(0);
    n.step(msg(MessageType.MSG_HEARTBEAT_RESP, 2, 1, 2).setContext(hb.getContext()));
    assertEquals(List.of(new ReadState(1, ByteString.copyFromUtf8("r"))), n.readStates);
  }

  @Test
  @DisplayName("Thesis §6.4: an answer to an old heartbeat round does not confirm a read that "
      + "arrived after it, even hundreds of rounds later")
  void oldRoundDoesNotConfirmNewRead() {
    PaperNode n = node(1).leader(2);
    ackAll(n);
    Message old = ofType(n.tick(1), MessageType.MSG_HEARTBEAT).get(0);
    n.tick(299);
    n.readIndex("r");
    n.step(msg(MessageType.MSG_HEARTBEAT_RESP, 2, 1, 2).setContext(old.getContext()));
    assertTrue(n.readStates.isEmpty(), "round " + old.getContext() + " predates the read");
  }
}
