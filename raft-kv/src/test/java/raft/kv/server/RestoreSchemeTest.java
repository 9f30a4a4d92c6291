package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.pb.KvState;

/** A restore for a cluster with peer TLS writes https peer URLs, as etcdctl keeps them. */
class RestoreSchemeTest {
  @Test
  void theRestoredRegistryKeepsTheSchemeOfThePeerUrls() {
    Map<String, InetSocketAddress> members = Map.of("n1",
        new InetSocketAddress("127.0.0.1", 12380), "n2", new InetSocketAddress("127.0.0.1",
            22380));
    KvState https = BackupFile.newMembership(KvState.getDefaultInstance(), members, "https");
    assertEquals(List.of("https://127.0.0.1:12380", "https://127.0.0.1:22380"),
        https.getMembersList().stream().map(m -> m.getPeerURLs(0)).toList());
    KvState plain = BackupFile.newMembership(KvState.getDefaultInstance(), members);
    assertEquals("http://127.0.0.1:12380", plain.getMembers(0).getPeerURLs(0));
    assertEquals(List.of(1L, 2L), plain.getMembersList().stream().map(Member::getID).toList());
  }
}
