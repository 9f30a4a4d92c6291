package raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.log.MemoryStorage;

/**
 * Figure 4's state diagram as guards in the core: a follower becomes leader only through an
 * election, and a leader leaves its role only by stepping down. The step function never asks
 * for a forbidden transition (a leader ignores MsgHup), so these guards are reached only by a
 * bug; the tests call the transitions directly to show that such a bug would fail loudly instead
 * of producing a second leader or a leader that forgot its term. Written against mutants that
 * removed the guards and survived every behaviour-level test (as they must).
 */
class RoleTransitionMutationTest {

  /** Member 1 of three, a fresh follower (ElectionCountsTest starts from it too). */
  static Raft raft() {
    Config c = new Config();
    c.id = 1;
    c.peers = List.of(1L, 2L, 3L);
    c.storage = new MemoryStorage();
    c.random = new SplittableRandom(1);
    return new Raft(c);
  }

  private static Raft leader() {
    Raft r = raft();
    r.becomeCandidate();
    r.becomeLeader();
    assertEquals(StateRole.LEADER, r.role());
    return r;
  }

  @Test
  @DisplayName("Figure 4: a follower cannot become leader without first being a candidate")
  void followerCannotBecomeLeader() {
    Raft r = raft();
    IllegalStateException e = assertThrows(IllegalStateException.class, r::becomeLeader);
    assertEquals("invalid transition [follower -> leader]", e.getMessage());
    assertEquals(StateRole.FOLLOWER, r.role());
  }

  @Test
  @DisplayName("Figure 4: a leader cannot start an election of its own (it steps down first)")
  void leaderCannotBecomeCandidate() {
    Raft r = leader();
    long term = r.term();
    IllegalStateException e = assertThrows(IllegalStateException.class, r::becomeCandidate);
    assertEquals("invalid transition [leader -> candidate]", e.getMessage());
    assertEquals(term, r.term(), "the term is unchanged");
  }

  @Test
  @DisplayName("Thesis §9.6: a leader cannot become a pre-candidate")
  void leaderCannotBecomePreCandidate() {
    Raft r = leader();
    IllegalStateException e = assertThrows(IllegalStateException.class, r::becomePreCandidate);
    assertEquals("invalid transition [leader -> pre-candidate]", e.getMessage());
    assertEquals(StateRole.LEADER, r.role());
  }
}
