package raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RangeRequest;

/**
 * Real members on the default Netty transport (raftkv.transport=auto: epoll on Linux x86_64)
 * with TLS on the client and peer ports: each says which transport it chose, and a write to
 * one member is read back from another (replicated over the epoll peer connections). Port
 * offset 380.
 */
class NativeTransportTest {

  @Test
  @DisplayName("a TLS cluster on the default transport runs on epoll, says so, and replicates")
  void tlsClusterOnEpoll() throws Exception {
    try (LocalCluster cluster = new LocalCluster(3, 380, "native-transport").withTls().start()) {
      int leader = cluster.awaitLeader(0, 30_000);
      KVGrpc.newBlockingStub(cluster.channel(leader)).withDeadlineAfter(10, TimeUnit.SECONDS)
          .put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("epoll"))
              .setValue(ByteString.copyFromUtf8("yes")).build());
      int other = leader % 3 + 1;
      // Linearizable: answered once the other member has heard from the leader over its link.
      assertEquals("yes", KVGrpc.newBlockingStub(cluster.channel(other))
          .withDeadlineAfter(10, TimeUnit.SECONDS).range(RangeRequest.newBuilder()
              .setKey(ByteString.copyFromUtf8("epoll")).build()).getKvs(0).getValue()
          .toStringUtf8());
      for (int k = 1; k <= 3; k++) {
        String log = cluster.log(k);
        assertTrue(log.contains("Netty transport epoll (raftkv.transport=auto, epoll available)"),
            "n" + k + " log:\n" + log);
        assertTrue(log.contains("client port gRPC: Netty epoll,"), "n" + k + " log:\n" + log);
      }
    }
  }
}
