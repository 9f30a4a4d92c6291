package raft.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.quorum.MajorityConfig.VoteResult;
import raft.tracker.Progress.State;

class ProgressTrackerTest {

  static ProgressTracker tracker(Long... ids) {
    return new ProgressTracker(Set.of(ids), 4, 0);
  }

  @Test
  @DisplayName("§5.3: a new leader probes followers at lastIndex + 1 and replicates to itself")
  void resetAll() {
    ProgressTracker t = tracker(1L, 2L, 3L);
    t.resetAll(10, 1, 8);
    assertEquals(List.of(1L, 2L, 3L), List.copyOf(t.all().keySet()), "deterministic order");
    Progress self = t.get(1);
    assertEquals(State.REPLICATE, self.state());
    assertEquals(8, self.matchIndex(), "self matches only what it has persisted");
    assertEquals(9, self.nextIndex());
    for (long id : List.of(2L, 3L)) {
      assertEquals(State.PROBE, t.get(id).state());
      assertEquals(0, t.get(id).matchIndex());
      assertEquals(11, t.get(id).nextIndex());
    }
    assertNull(t.get(4));
  }

  @Test
  @DisplayName("§5.3: committed() is the largest match index held by a majority")
  void committed() {
    ProgressTracker t = tracker(1L, 2L, 3L);
    t.resetAll(10, 1, 10);
    assertEquals(0, t.committed());
    t.get(2).maybeUpdate(7);
    assertEquals(7, t.committed());
    t.get(3).maybeUpdate(9);
    assertEquals(9, t.committed());
  }

  @Test
  @DisplayName("§5.2: the first vote of each voter counts; later ones are ignored")
  void votes() {
    ProgressTracker t = tracker(1L, 2L, 3L, 4L, 5L);
    t.recordVote(1, true);
    t.recordVote(2, false);
    t.recordVote(2, true); // a duplicate must not flip the vote
    assertEquals(1, t.grantedVotes());
    t.recordVote(9, true); // not a voter: no help towards the quorum
    t.recordVote(3, true);
    assertEquals(VoteResult.PENDING, t.tallyVotes());
    t.recordVote(4, true);
    assertEquals(VoteResult.WON, t.tallyVotes());
    t.resetVotes();
    assertEquals(0, t.grantedVotes());
    t.recordVote(1, false);
    t.recordVote(2, false);
    t.recordVote(3, false);
    assertEquals(VoteResult.LOST, t.tallyVotes());
  }

  @Test
  @DisplayName("§6.2 (CheckQuorum): a leader is active only if a majority was heard from")
  void quorumActive() {
    ProgressTracker t = tracker(1L, 2L, 3L, 4L, 5L);
    t.resetAll(0, 1, 0);
    t.get(2).setRecentActive(true);
    assertFalse(t.quorumActive(1), "self and one follower are 2 of 5");
    t.get(3).setRecentActive(true);
    assertTrue(t.quorumActive(1));
    t.resetRecentActive(1);
    assertTrue(t.get(1).recentActive());
    assertFalse(t.get(2).recentActive());
    assertFalse(t.quorumActive(1));
  }

  @Test
  @DisplayName("a single voter is a singleton; setVoters forgets removed members")
  void setVoters() {
    ProgressTracker t = tracker(1L, 2L, 3L);
    assertFalse(t.isSingleton(1));
    t.resetAll(5, 1, 5);
    t.setVoters(Set.of(1L));
    assertTrue(t.isSingleton(1));
    assertEquals(Set.of(1L), t.all().keySet());
    assertEquals(5, t.committed());
  }
}
