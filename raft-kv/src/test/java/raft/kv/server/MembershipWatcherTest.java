package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.apply.Membership;

/** The addresses the peer transport dials: only members whose URL has this cluster's scheme. */
class MembershipWatcherTest {
  private static Member member(long id, String url) {
    return Member.newBuilder().setID(id).setName("n" + id).addPeerURLs(url).build();
  }

  private static final Membership.View VIEW = new Membership.View(List.of(
      member(1, "http://127.0.0.1:2380"), member(2, "https://127.0.0.1:2381"),
      member(3, "127.0.0.1:2382")), Set.of());

  @Test
  void aPlainClusterSkipsAnHttpsMemberAndSaysSo() {
    List<Member> skipped = new ArrayList<>();
    Map<Long, InetSocketAddress> peers =
        MembershipWatcher.addresses(VIEW, Map.of(), "http", skipped::add);
    assertEquals(Set.of(1L, 3L), peers.keySet());
    assertEquals(List.of(2L), skipped.stream().map(Member::getID).toList());
    assertEquals("not dialling member n2 at https://127.0.0.1:2381: its peer URL's scheme is"
        + " not this cluster's peer scheme http", MembershipWatcher.skipped(skipped.get(0),
        "http"));
  }

  @Test
  void aTlsClusterSkipsTheHttpMembers() {
    List<Member> skipped = new ArrayList<>();
    Map<Long, InetSocketAddress> peers =
        MembershipWatcher.addresses(VIEW, Map.of(), "https", skipped::add);
    assertEquals(Set.of(2L), peers.keySet());
    assertEquals(List.of(1L, 3L), skipped.stream().map(Member::getID).toList());
  }
}
