package raft.kv.server;

import java.security.SecureRandom;
import java.util.random.RandomGenerator;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.apply.Membership;

/**
 * Ids for members added at runtime: random, non-zero, never one that is or was a member. The
 * members of a new cluster keep the ids their position in --initial-cluster gives them (1, 2,
 * 3...), which every member derives alike without talking to the others.
 *
 * <p>The low 16 bits also differ from every current and removed member's: a member's proposal
 * ids carry them ({@link ProposalIds}), and two members with the same 16 bits could draw the
 * same proposal id and answer each other's clients. Ids above 2^32 never meet the small ids
 * of the initial members.
 */
final class MemberIds {
  private final RandomGenerator random;

  MemberIds(RandomGenerator random) {
    this.random = random;
  }

  MemberIds() {
    this(new SecureRandom());
  }

  long fresh(Membership.View v) {
    while (true) {
      long id = random.nextLong() | (1L << 32);
      if (usable(v, id)) {
        return id;
      }
    }
  }

  static boolean usable(Membership.View v, long id) {
    long low = id & 0xFFFF;
    if (low == 0 || v.removed().stream().anyMatch(r -> (r & 0xFFFF) == low)) {
      return false;
    }
    return v.members().stream().map(Member::getID).noneMatch(m -> (m & 0xFFFF) == low);
  }
}
