package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.apply.Membership;

/**
 * etcd's strict reconfiguration check, its URL rules and our member ids, on registries built by
 * hand: the texts are etcd 3.4's (rpctypes/error.go).
 */
class MemberRulesTest {
  private static Member voter(long id, boolean started) {
    return Member.newBuilder().setID(id).setName(started ? "n" + id : "")
        .addPeerURLs("http://127.0.0.1:" + (id * 10000 + 2380)).build();
  }

  private static Membership.View view(Member... members) {
    return new Membership.View(List.of(members), Set.of());
  }

  private static String text(Optional<StatusRuntimeException> e) {
    return e.map(x -> x.getStatus().getDescription()).orElse("ok");
  }

  @Test
  void addingAVoterNeedsAQuorumOfStartedMembersCountingTheNewOne() {
    ReconfigCheck all = new ReconfigCheck(1, id -> true);
    assertEquals("ok", text(all.mayAdd(view(voter(1, true), voter(2, true), voter(3, true)),
        false)));
    // 3 voters, 1 started; with the new one 4 members, quorum 3.
    assertEquals(MemberErrors.NOT_ENOUGH_STARTED, text(all.mayAdd(
        view(voter(1, true), voter(2, false), voter(3, false)), false)));
    assertEquals("ok", text(all.mayAdd(view(voter(1, true), voter(2, false), voter(3, false)),
        true)), "a learner counts in no quorum");
    assertEquals("ok", text(all.mayAdd(view(voter(1, true)), false)),
        "growing a one-member cluster is allowed (etcd's special case)");
  }

  @Test
  void addingNeedsThisMemberConnectedToEveryVoter() {
    ReconfigCheck cutFrom3 = new ReconfigCheck(1, id -> id != 3);
    assertEquals(MemberErrors.UNHEALTHY, text(cutFrom3.mayAdd(
        view(voter(1, true), voter(2, true), voter(3, true)), true)));
  }

  @Test
  void removingKeepsAQuorumOfStartedAndOfConnectedMembers() {
    ReconfigCheck all = new ReconfigCheck(1, id -> true);
    Membership.View threeOneStarted = view(voter(1, true), voter(2, false), voter(3, false));
    assertEquals(MemberErrors.NOT_ENOUGH_STARTED, text(all.mayRemove(threeOneStarted, 2)));
    // n2 is down: removing n2 is fine (not part of the active quorum), removing n3 is not
    // (the two left, n1 and n2, would have only n1 active).
    ReconfigCheck n2Down = new ReconfigCheck(1, id -> id != 2);
    Membership.View three = view(voter(1, true), voter(2, true), voter(3, true));
    assertEquals("ok", text(n2Down.mayRemove(three, 2)));
    assertEquals(MemberErrors.UNHEALTHY, text(n2Down.mayRemove(three, 3)));
    Member learner = voter(4, false).toBuilder().setIsLearner(true).build();
    assertEquals("ok", text(new ReconfigCheck(1, id -> false).mayRemove(
        view(voter(1, true), voter(2, true), voter(3, true), learner), 4)));
  }

  @Test
  void promotingCountsTheLearnerAsStarted() {
    ReconfigCheck all = new ReconfigCheck(1, id -> true);
    Member learner = voter(4, false).toBuilder().setIsLearner(true).build();
    assertEquals("ok", text(all.mayPromote(view(voter(1, true), voter(2, true), voter(3, false),
        learner), 4)));
    assertEquals(MemberErrors.NOT_ENOUGH_STARTED, text(all.mayPromote(view(voter(1, true),
        voter(2, false), voter(3, false), learner), 4)));
  }

  @Test
  void peerUrlsAsEtcdParsesThem() {
    assertEquals(Optional.of(List.of("http://127.0.0.1:1", "https://h:2")),
        PeerUrls.parse(List.of(" https://h:2", "http://127.0.0.1:1")), "trimmed and sorted");
    for (String bad : List.of("127.0.0.1:1", "ftp://h:1", "http://h", "http://h:1/path",
        "http://h:1?q", "://h:1", "")) {
      assertEquals(Optional.empty(), PeerUrls.parse(List.of(bad)), bad);
    }
    assertEquals(Optional.empty(), PeerUrls.parse(List.of()));
  }

  @Test
  void freshIdsAreNeverAMemberOrARemovedOneNorShareTheirLow16Bits() {
    // A generator that first offers ids clashing in their low 16 bits.
    long[] offers = {0x1_0000_0001L, 0x7_0000_0002L, 0x5_0000_0000L, 0x9_0000_1234L};
    SplittableRandom fallback = new SplittableRandom(1);
    int[] next = {0};
    MemberIds ids = new MemberIds(new java.util.random.RandomGenerator() {
      @Override
      public long nextLong() {
        return next[0] < offers.length ? offers[next[0]++] : fallback.nextLong();
      }
    });
    Membership.View v = new Membership.View(List.of(voter(1, true)), Set.of(2L));
    long id = ids.fresh(v);
    assertEquals(0x9_0000_1234L, id);
    assertTrue(Long.compareUnsigned(id, 1L << 32) >= 0);
    assertNotEquals(0, ids.fresh(v) & 0xFFFF);
  }
}
