package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.api.etcdserverpb.AuthEnableRequest;
import raft.kv.api.etcdserverpb.AuthGrpc;
import raft.kv.api.etcdserverpb.AuthUserAddRequest;
import raft.kv.api.etcdserverpb.AuthUserGrantRoleRequest;
import raft.kv.api.etcdserverpb.AuthenticateRequest;
import raft.kv.api.etcdserverpb.ClusterGrpc;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.MemberPromoteRequest;
import raft.kv.api.etcdserverpb.RangeRequest;

/**
 * A MemberPromote sent to a follower with auth on (plain client ports, so no member
 * certificate): the follower forwards it to the leader with the client's token, so the leader
 * checks the same root caller and answers from the member code (a voter "can only promote a
 * learner member"), not "user name is empty".
 */
class ForwardedPromoteAuthTest {
  @TempDir Path dir;

  @Test
  void aFollowerForwardsThePromoteWithTheClientsToken() throws Exception {
    // The follower forwards to the client URL the leader published: wait for every member's.
    CountDownLatch published = new CountDownLatch(3);
    try (InProcessCluster c = new InProcessCluster(3, 3, dir, ServerConfig.DEFAULT_AUTO_COMPACTION,
        0, line -> {
          if (line.startsWith("published name")) {
            published.countDown();
          }
        })) {
      long lead = c.awaitLeader();
      assertTrue(published.await(30, TimeUnit.SECONDS), "every member published its URL");
      List<ManagedChannel> channels = new ArrayList<>();
      for (String ep : c.endpoints().split(",")) {
        channels.add(ManagedChannelBuilder.forTarget(ep).usePlaintext().build());
      }
      try {
        int leaderAt = 0;
        while (c.servers().get(leaderAt).runtime().status().id() != lead) {
          leaderAt++;
        }
        int followerAt = (leaderAt + 1) % channels.size();
        long followerId = c.servers().get(followerAt).runtime().status().id();
        ManagedChannel follower = channels.get(followerAt);
        readThrough(follower); // linearizable: the follower has applied every publish by now
        AuthGrpc.AuthBlockingStub auth = AuthGrpc.newBlockingStub(channels.get(leaderAt))
            .withDeadlineAfter(30, TimeUnit.SECONDS);
        auth.userAdd(AuthUserAddRequest.newBuilder().setName("root").setPassword("pw").build());
        auth.userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser("root")
            .setRole("root").build());
        auth.authEnable(AuthEnableRequest.getDefaultInstance());
        String token = auth.authenticate(AuthenticateRequest.newBuilder().setName("root")
            .setPassword("pw").build()).getToken();
        Metadata md = new Metadata();
        md.put(AuthInterceptor.TOKEN, token);
        ClusterGrpc.ClusterBlockingStub cluster = ClusterGrpc.newBlockingStub(follower)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
            .withDeadlineAfter(30, TimeUnit.SECONDS);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
            () -> cluster.memberPromote(MemberPromoteRequest.newBuilder().setID(followerId)
                .build()));
        assertEquals("etcdserver: can only promote a learner member",
            e.getStatus().getDescription(),
            e.toString());
      } finally {
        for (ManagedChannel ch : channels) {
          ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
      }
    }
  }

  /**
   * A linearizable read on {@code ch}, tried up to 3 times: a read whose ReadIndex was lost in an
   * election (a loaded machine, 200 ms election timeouts) times out, which is not what this
   * test is about.
   */
  private static void readThrough(ManagedChannel ch) {
    for (int attempt = 1; ; attempt++) {
      try {
        KVGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
            .range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("x")).build());
        return;
      } catch (StatusRuntimeException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }
}
