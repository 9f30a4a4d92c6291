package raft.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.pb.ConfState;
import raft.pb.Message;
import raft.pb.MessageType;

class MessageCountsTest {
  @Test
  @DisplayName("the view's kinds: every *_RESP is a response; local types are not counted")
  void kinds() {
    assertEquals(MessageCounts.Kind.HEARTBEAT, MessageCounts.kindOf(MessageType.MSG_HEARTBEAT));
    assertEquals(MessageCounts.Kind.APPEND, MessageCounts.kindOf(MessageType.MSG_APP));
    assertEquals(MessageCounts.Kind.VOTE, MessageCounts.kindOf(MessageType.MSG_VOTE));
    assertEquals(MessageCounts.Kind.PREVOTE, MessageCounts.kindOf(MessageType.MSG_PRE_VOTE));
    assertEquals(MessageCounts.Kind.SNAPSHOT, MessageCounts.kindOf(MessageType.MSG_SNAP));
    for (MessageType t : List.of(MessageType.MSG_APP_RESP, MessageType.MSG_VOTE_RESP,
        MessageType.MSG_HEARTBEAT_RESP, MessageType.MSG_PRE_VOTE_RESP)) {
      assertEquals(MessageCounts.Kind.RESPONSE, MessageCounts.kindOf(t), t.name());
    }
    assertNull(MessageCounts.kindOf(MessageType.MSG_HUP));
    assertNull(MessageCounts.kindOf(MessageType.MSG_PROP));
  }

  @Test
  @DisplayName("counts per destination and kind, only the non-zero ones")
  void countsPerPeerAndKind() {
    MessageCounts c = new MessageCounts();
    c.sent(msg(2, MessageType.MSG_APP));
    c.sent(msg(2, MessageType.MSG_APP));
    c.sent(msg(3, MessageType.MSG_HEARTBEAT));
    c.sent(msg(3, MessageType.MSG_BEAT)); // local: not counted
    assertEquals(List.of(new MessageCounts.Sent(2, MessageCounts.Kind.APPEND, 2),
        new MessageCounts.Sent(3, MessageCounts.Kind.HEARTBEAT, 1)), c.read());
  }

  @Test
  @DisplayName("a destination that left the configuration is forgotten")
  void removedMemberIsForgotten() {
    MessageCounts c = new MessageCounts();
    c.sent(msg(2, MessageType.MSG_APP));
    c.sent(msg(3, MessageType.MSG_APP));
    c.sent(msg(4, MessageType.MSG_APP));
    c.retain(ConfState.newBuilder().addVoters(1).addVoters(2).addLearners(4).build());
    assertEquals(List.of(new MessageCounts.Sent(2, MessageCounts.Kind.APPEND, 1),
        new MessageCounts.Sent(4, MessageCounts.Kind.APPEND, 1)), c.read());
  }

  private static Message msg(long to, MessageType t) {
    return Message.newBuilder().setTo(to).setType(t).build();
  }
}
