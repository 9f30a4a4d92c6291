package raft.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.quorum.MajorityConfig.VoteResult;

class JointConfigTest {
  // C_old = {1,2,3}, C_new = {3,4,5}
  final JointConfig joint = new JointConfig(Set.of(3L, 4L, 5L), Set.of(1L, 2L, 3L));

  @Test
  @DisplayName("§4.3: an entry commits only once a majority of C_old and of C_new hold it")
  void commitNeedsBothMajorities() {
    Map<Long, Long> match = Map.of(1L, 9L, 2L, 9L, 3L, 5L, 4L, 2L, 5L, 1L);
    // C_old's majority holds 9; C_new's only 2 (3 and 4): the joint answer is the smaller.
    assertEquals(2, joint.committedIndex(id -> match.getOrDefault(id, 0L)));
    JointConfig simple = new JointConfig(Set.of(1L, 2L, 3L), Set.of());
    assertEquals(9, simple.committedIndex(id -> match.getOrDefault(id, 0L)));
  }

  @Test
  @DisplayName("§4.3: an election is won with a majority of each half, lost once either is out"
      + " of reach")
  void votesNeedBothMajorities() {
    assertEquals(VoteResult.PENDING, joint.voteResult(Map.of(1L, true, 2L, true)));
    assertEquals(VoteResult.WON, joint.voteResult(Map.of(1L, true, 2L, true, 4L, true,
        5L, true)));
    assertEquals(VoteResult.WON, joint.voteResult(Map.of(1L, true, 3L, true, 4L, true)));
    assertEquals(VoteResult.LOST, joint.voteResult(Map.of(1L, true, 2L, true, 4L, false,
        5L, false)));
    assertEquals(Set.of(1L, 2L, 3L, 4L, 5L), joint.ids());
    assertEquals(5, joint.size());
  }
}
