package raft.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import raft.quorum.MajorityConfig.VoteResult;

class MajorityConfigTest {

  private static MajorityConfig voters(long... ids) {
    Set<Long> s = new TreeSet<>();
    for (long id : ids) {
      s.add(id);
    }
    return new MajorityConfig(s);
  }

  private static MajorityConfig firstN(int n) {
    return voters(LongStream.rangeClosed(1, n).toArray());
  }

  /** Votes as alternating id, granted(1)/rejected(0) pairs. */
  private static Map<Long, Boolean> votes(long... pairs) {
    Map<Long, Boolean> m = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1] == 1);
    }
    return m;
  }

  @ParameterizedTest(name = "n={0} -> quorum {1}, tolerates {2}")
  @CsvSource({"1,1,0", "2,2,0", "3,2,1", "4,3,1", "5,3,2", "6,4,2", "7,4,3", "8,5,3", "9,5,4"})
  @DisplayName("§5.2: a quorum is floor(n/2)+1 voters; n - quorum failures are tolerated")
  void quorumSizes(int n, int quorum, int tolerated) {
    MajorityConfig c = firstN(n);
    assertEquals(n, c.size());
    assertEquals(quorum, c.quorum());
    assertEquals(tolerated, c.size() - c.quorum());
  }

  @Test
  @DisplayName("voter ids are deduplicated and kept sorted; contains() answers membership")
  void idsAndContains() {
    MajorityConfig c = new MajorityConfig(Set.of(30L, 10L, 20L));
    assertEquals(3, c.size());
    assertEquals(new TreeSet<>(Set.of(10L, 20L, 30L)), c.ids());
    assertTrue(c.contains(10L));
    assertTrue(c.contains(30L));
    assertFalse(c.contains(15L));
    assertFalse(c.contains(0L));
    assertEquals("[10, 20, 30]", c.toString());
  }

  @Test
  @DisplayName("§5.3: committedIndex of three voters is the median match index")
  void committedIndexOfThree() {
    MajorityConfig c = voters(1, 2, 3);
    Map<Long, Long> match = Map.of(1L, 5L, 2L, 3L, 3L, 1L);
    assertEquals(3, c.committedIndex(match::get));
  }

  @Test
  @DisplayName("§5.3: committedIndex of four voters needs three acknowledgements")
  void committedIndexOfFour() {
    MajorityConfig c = voters(1, 2, 3, 4);
    Map<Long, Long> match = Map.of(1L, 9L, 2L, 7L, 3L, 4L, 4L, 2L);
    // 9 and 7 are held by only two of four; 4 is held by three.
    assertEquals(4, c.committedIndex(match::get));
  }

  @Test
  @DisplayName("§5.3: committedIndex of five voters tolerates two laggards")
  void committedIndexOfFive() {
    MajorityConfig c = voters(1, 2, 3, 4, 5);
    Map<Long, Long> match = Map.of(1L, 10L, 2L, 10L, 3L, 8L, 4L, 0L, 5L, 0L);
    assertEquals(8, c.committedIndex(match::get));
  }

  @Test
  @DisplayName("a single voter commits whatever it has itself")
  void committedIndexOfOne() {
    assertEquals(42, voters(7).committedIndex(id -> id == 7 ? 42 : -1));
  }

  @Test
  @DisplayName("the match function is asked about each voter, and only voters")
  void committedIndexAsksOnlyVoters() {
    MajorityConfig c = voters(2, 4, 6);
    assertEquals(4, c.committedIndex(id -> {
      assertTrue(id == 2 || id == 4 || id == 6, "asked about non-voter " + id);
      return id; // matches 2, 4, 6: median 4
    }));
  }

  @Test
  @DisplayName("an empty config commits everything (it defers to the other half of a joint config)")
  void committedIndexEmpty() {
    assertEquals(Long.MAX_VALUE, new MajorityConfig(Set.of()).committedIndex(id -> 0));
    assertEquals(VoteResult.WON, new MajorityConfig(Set.of()).voteResult(Map.of()));
  }

  @Test
  @DisplayName("§5.2: with three voters, two grants win")
  void voteWon() {
    assertEquals(VoteResult.WON, voters(1, 2, 3).voteResult(votes(1, 1, 2, 1)));
    assertEquals(VoteResult.WON, voters(1, 2, 3).voteResult(votes(1, 1, 2, 1, 3, 0)));
  }

  @Test
  @DisplayName("§5.2: with three voters, one grant and nothing else is still pending")
  void votePending() {
    assertEquals(VoteResult.PENDING, voters(1, 2, 3).voteResult(votes(1, 1)));
    assertEquals(VoteResult.PENDING, voters(1, 2, 3).voteResult(votes(1, 1, 2, 0)));
    assertEquals(VoteResult.PENDING, voters(1, 2, 3).voteResult(Map.of()));
  }

  @Test
  @DisplayName("§5.2: with three voters, two rejections lose")
  void voteLost() {
    assertEquals(VoteResult.LOST, voters(1, 2, 3).voteResult(votes(1, 0, 2, 0)));
    assertEquals(VoteResult.LOST, voters(1, 2, 3).voteResult(votes(1, 1, 2, 0, 3, 0)));
  }

  @Test
  @DisplayName("§5.2: with four voters, a 2-2 split is lost and 2 grants with 2 missing pending")
  void voteFourVoters() {
    MajorityConfig c = voters(1, 2, 3, 4);
    assertEquals(VoteResult.LOST, c.voteResult(votes(1, 1, 2, 1, 3, 0, 4, 0)));
    assertEquals(VoteResult.PENDING, c.voteResult(votes(1, 1, 2, 1)));
    assertEquals(VoteResult.WON, c.voteResult(votes(1, 1, 2, 1, 4, 1)));
  }

  @Test
  @DisplayName("votes from non-voters are not counted")
  void nonVoterVotesIgnored() {
    MajorityConfig c = voters(1, 2, 3);
    assertEquals(VoteResult.PENDING, c.voteResult(votes(7, 1, 8, 1, 9, 1)));
    assertEquals(VoteResult.PENDING, c.voteResult(votes(1, 1, 8, 1, 9, 1)));
    assertEquals(VoteResult.PENDING, c.voteResult(votes(1, 0, 8, 0, 9, 0)));
  }

  @Test
  @DisplayName("a single voter wins with its own grant and loses with its own rejection")
  void singleVoter() {
    assertEquals(VoteResult.WON, voters(1).voteResult(votes(1, 1)));
    assertEquals(VoteResult.LOST, voters(1).voteResult(votes(1, 0)));
    assertEquals(VoteResult.PENDING, voters(1).voteResult(Map.of()));
  }
}
