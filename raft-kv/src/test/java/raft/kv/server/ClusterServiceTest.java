package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.api.etcdserverpb.ClusterGrpc;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.api.etcdserverpb.MemberAddRequest;
import raft.kv.api.etcdserverpb.MemberListRequest;
import raft.kv.api.etcdserverpb.MemberUpdateRequest;
import raft.kv.pb.KvState;

/**
 * The Cluster service over real gRPC on an in-process cluster: what etcdctl checks on its
 * side before sending (malformed URLs) the server refuses too, with etcd's text; the initial
 * members come from the bootstrap entries; a backup restored into a new cluster has that
 * cluster's members.
 */
class ClusterServiceTest {
  @TempDir static Path dir;
  private static InProcessCluster cluster;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    cluster = new InProcessCluster(3, 3, dir);
    cluster.awaitLeader();
    channel = ManagedChannelBuilder.forTarget(cluster.endpoints().split(",")[0])
        .usePlaintext().build();
  }

  @AfterAll
  static void stop() {
    channel.shutdownNow();
    cluster.close();
  }

  private static ClusterGrpc.ClusterBlockingStub stub() {
    return ClusterGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void malformedPeerUrlsAreInvalidArgumentsWithEtcdsText() {
    for (String bad : List.of("127.0.0.1:1", "http://127.0.0.1", "ftp://h:1", "http://h:1/x")) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub()
          .memberAdd(MemberAddRequest.newBuilder().addPeerURLs(bad).setIsLearner(true).build()));
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), bad);
      assertEquals("etcdserver: given member URLs are invalid", e.getStatus().getDescription());
    }
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub()
        .memberUpdate(MemberUpdateRequest.newBuilder().setID(1).build()));
    assertEquals("etcdserver: given member URLs are invalid", e.getStatus().getDescription());
  }

  /** A plain cluster's transport would dial an https peer URL in clear text: refused. */
  @Test
  void peerUrlsOfTheOtherSchemeAreRefused() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub()
        .memberAdd(MemberAddRequest.newBuilder().addPeerURLs("https://127.0.0.1:1")
            .setIsLearner(true).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals("raftkv: given member URL https://127.0.0.1:1 does not use this cluster's"
        + " peer scheme http", e.getStatus().getDescription());
    e = assertThrows(StatusRuntimeException.class, () -> stub().memberUpdate(
        MemberUpdateRequest.newBuilder().setID(1).addPeerURLs("https://127.0.0.1:1").build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
  }

  @Test
  void theInitialMembersComeFromTheBootstrapEntriesWithIdsByPosition() {
    List<Member> members = stub().memberList(MemberListRequest.getDefaultInstance())
        .getMembersList();
    assertEquals(List.of(1L, 2L, 3L), members.stream().map(Member::getID).toList());
    assertTrue(members.stream().allMatch(m -> m.getPeerURLsCount() == 1 && !m.getIsLearner()),
        members.toString());
  }

  @Test
  void aRestoredBackupHasTheNewClustersMembersAndNoRemovedIds() {
    KvState old = KvState.newBuilder().setRevision(7)
        .addMembers(Member.newBuilder().setID(0x8f1a_4063_374c_ff3cL).setName("old")
            .addPeerURLs("http://10.0.0.1:2380"))
        .addRemovedMembers(2).build();
    Map<String, InetSocketAddress> next = new LinkedHashMap<>();
    next.put("n2", new InetSocketAddress("127.0.0.1", 22380));
    next.put("n1", new InetSocketAddress("127.0.0.1", 12380));
    KvState restored = BackupFile.newMembership(old, next);
    assertEquals(7, restored.getRevision());
    assertEquals(List.of("1 n1 http://127.0.0.1:12380", "2 n2 http://127.0.0.1:22380"),
        restored.getMembersList().stream().map(m -> m.getID() + " " + m.getName() + " "
            + m.getPeerURLs(0)).toList());
    assertEquals(0, restored.getRemovedMembersCount());
  }
}
