package raft.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import raft.log.MemoryStorage;

/** statusIs: true exactly while status() would build an equal Status (the loop's shortcut). */
class RaftNodeStatusTest {
  @Test
  void aStatusStaysCurrentUntilSomethingInItMoves() {
    Config c = new Config();
    c.id = 1;
    c.peers = List.of(1L);
    c.storage = new MemoryStorage();
    c.random = new SplittableRandom(1);
    RaftNode n = new RaftNode(c);
    RaftNode.Status s = n.status();
    assertTrue(n.statusIs(s));
    assertFalse(n.statusIs(null));
    n.tick(); // an election timeout not reached yet: nothing moves
    assertTrue(n.statusIs(s));
    for (int i = 0; i < 100 && n.statusIs(s); i++) {
      n.tick(); // a single voter elects itself: term, vote, role and lead move
    }
    assertFalse(n.statusIs(s));
    assertTrue(n.statusIs(n.status()));
  }
}
