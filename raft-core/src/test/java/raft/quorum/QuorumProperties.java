package raft.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.LongStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import raft.quorum.MajorityConfig.VoteResult;

/**
 * Model-vs-naive checks of the quorum arithmetic: every fast answer of {@link MajorityConfig}
 * must equal a slow, obviously correct definition, for random voter sets of size 1..9.
 */
class QuorumProperties {

  /** A voter set with each voter's match index and (possibly missing) vote. */
  record Cluster(Set<Long> voters, Map<Long, Long> match, Map<Long, Boolean> votes) {
    @Override
    public String toString() {
      return "voters=" + voters + " match=" + match + " votes=" + votes;
    }
  }

  @Provide
  Arbitrary<Cluster> clusters() {
    Arbitrary<Set<Long>> ids = Arbitraries.longs().between(1, 50).set().ofMinSize(1).ofMaxSize(9);
    return ids.flatMap(vs -> {
      List<Long> order = new ArrayList<>(new TreeSet<>(vs));
      Arbitrary<List<Long>> matches = Arbitraries.longs().between(0, 12).list()
          .ofSize(order.size());
      // null = no vote yet; also sprinkle votes from ids that are not voters.
      Arbitrary<List<Boolean>> vs2 = Arbitraries.of(true, false).injectNull(0.3).list()
          .ofSize(order.size());
      Arbitrary<Map<Long, Boolean>> strangers = Arbitraries.maps(
          Arbitraries.longs().between(51, 60), Arbitraries.of(true, false)).ofMaxSize(3);
      return Combinators.combine(matches, vs2, strangers).as((ms, bs, extra) -> {
        Map<Long, Long> match = new HashMap<>();
        Map<Long, Boolean> votes = new HashMap<>(extra);
        for (int i = 0; i < order.size(); i++) {
          match.put(order.get(i), ms.get(i));
          if (bs.get(i) != null) {
            votes.put(order.get(i), bs.get(i));
          }
        }
        return new Cluster(vs, match, votes);
      });
    });
  }

  /** The smallest q such that any two sets of q voters out of n intersect: 2q > n. */
  private static int naiveQuorum(int n) {
    int q = 0;
    while (2 * q <= n) {
      q++;
    }
    return q;
  }

  /** The largest N such that a majority (floor(n/2)+1) of voters have match >= N. */
  private static long naiveCommitted(Cluster c) {
    int n = c.voters().size();
    long best = 0;
    for (long candidate = 0; candidate <= 12; candidate++) {
      final long cand = candidate;
      long holders = c.voters().stream().filter(v -> c.match().get(v) >= cand).count();
      if (holders >= n / 2 + 1) {
        best = candidate;
      }
    }
    return best;
  }

  private static VoteResult naiveVote(Cluster c) {
    int n = c.voters().size();
    int yes = 0;
    int no = 0;
    for (long v : c.voters()) {
      Boolean b = c.votes().get(v);
      if (Boolean.TRUE.equals(b)) {
        yes++;
      } else if (Boolean.FALSE.equals(b)) {
        no++;
      }
    }
    if (2 * yes > n) {
      return VoteResult.WON; // a strict majority granted
    }
    if (2 * no >= n) {
      return VoteResult.LOST; // the others cannot form a strict majority any more
    }
    return VoteResult.PENDING;
  }

  @Property(tries = 500)
  @Label("§5.3: committedIndex equals the largest index held by a majority")
  void committedIndexMatchesNaive(@ForAll("clusters") Cluster c) {
    MajorityConfig mc = new MajorityConfig(c.voters());
    assertEquals(naiveCommitted(c), mc.committedIndex(c.match()::get), c.toString());
  }

  @Property(tries = 500)
  @Label("§5.2: voteResult equals a naive count of grants and rejections")
  void voteResultMatchesNaive(@ForAll("clusters") Cluster c) {
    MajorityConfig mc = new MajorityConfig(c.voters());
    assertEquals(naiveVote(c), mc.voteResult(c.votes()), c.toString());
  }

  @Property(tries = 200)
  @Label("§5.2: quorum() is floor(n/2)+1, the smallest size of which any two sets intersect")
  void quorumIsSmallestIntersectingSize(@ForAll("clusters") Cluster c) {
    MajorityConfig mc = new MajorityConfig(c.voters());
    int n = c.voters().size();
    assertEquals(n, mc.size());
    assertEquals(n / 2 + 1, mc.quorum());
    assertEquals(naiveQuorum(n), mc.quorum());
  }

  @Property(tries = 200)
  @Label("§5.3: committedIndex does not depend on the voters' ids, only on their match indexes")
  void committedIndexIgnoresIds(@ForAll("clusters") Cluster c) {
    MajorityConfig mc = new MajorityConfig(c.voters());
    // Rename voters to 1..n in id order, keeping their match indexes.
    List<Long> order = new ArrayList<>(new TreeSet<>(c.voters()));
    Map<Long, Long> renamed = new HashMap<>();
    for (int i = 0; i < order.size(); i++) {
      renamed.put((long) i + 1, c.match().get(order.get(i)));
    }
    MajorityConfig mc2 = new MajorityConfig(
        new TreeSet<>(LongStream.rangeClosed(1, order.size()).boxed().toList()));
    assertEquals(mc.committedIndex(c.match()::get), mc2.committedIndex(renamed::get));
  }

  @Property
  @Label("odd sizes: a cluster of 2k tolerates no more failures than one of 2k-1")
  void evenSizeToleratesNoMoreThanOdd(@ForAll @IntRange(min = 1, max = 5) int k) {
    MajorityConfig even = new MajorityConfig(ids(2 * k));
    MajorityConfig odd = new MajorityConfig(ids(2 * k - 1));
    int tolEven = even.size() - even.quorum();
    int tolOdd = odd.size() - odd.quorum();
    assertEquals(tolOdd, tolEven);
    assertEquals(k - 1, tolOdd);
    // ...while the even cluster needs one more vote for every decision.
    assertEquals(odd.quorum() + 1, even.quorum());
  }

  private static Set<Long> ids(int n) {
    return new TreeSet<>(LongStream.rangeClosed(1, n).boxed().toList());
  }
}
