package raft.kv.server;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import raft.kv.api.etcdserverpb.ClusterGrpc;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.api.etcdserverpb.MemberPromoteRequest;
import raft.kv.api.etcdserverpb.MemberPromoteResponse;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import raft.kv.apply.Membership;
import raft.kv.tls.GrpcClientTls;

/**
 * etcd's PromoteMember on a follower: only the leader knows how far a learner's log is, so the
 * follower forwards the request to it (etcd over its peer port, we to the leader's published
 * client URL) and answers with the leader's answer.
 */
final class LeaderForward implements AutoCloseable {
  private final LongSupplier leader;
  private final Supplier<Membership.View> registry;
  private final Duration timeout;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final Supplier<SslContext> tls;

  /**
   * @param tls the context for an https client URL (the member's own certificate, its trusted
   *     CA): never plain text to an https URL
   */
  LeaderForward(LongSupplier leader, Supplier<Membership.View> registry, Duration timeout,
      Supplier<SslContext> tls) {
    this.leader = leader;
    this.registry = registry;
    this.timeout = timeout;
    this.tls = tls;
  }

  CompletableFuture<List<Member>> promote(long id) {
    long lead = leader.getAsLong();
    List<String> urls = registry.get().member(lead)
        .<List<String>>map(Member::getClientURLsList).orElse(List.of());
    if (lead == 0) {
      return CompletableFuture.failedFuture(Errors.noLeader());
    }
    if (urls.isEmpty()) {
      return CompletableFuture.failedFuture(Errors.notLeader());
    }
    ManagedChannel ch = channels.computeIfAbsent(urls.get(0), this::channel);
    CompletableFuture<List<Member>> reply = new CompletableFuture<>();
    Futures.addCallback(ClusterGrpc.newFutureStub(ch)
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .memberPromote(MemberPromoteRequest.newBuilder().setID(id).build()),
        new FutureCallback<MemberPromoteResponse>() {
          @Override
          public void onSuccess(MemberPromoteResponse r) {
            reply.complete(r.getMembersList());
          }

          @Override
          public void onFailure(Throwable t) {
            reply.completeExceptionally(t);
          }
        }, MoreExecutors.directExecutor());
    return reply;
  }

  private ManagedChannel channel(String url) {
    InetSocketAddress a = ServerConfig.parseAddress(url);
    if (ServerConfig.isHttps(url)) {
      return GrpcClientTls.dial(a, tls.get());
    }
    return ManagedChannelBuilder.forAddress(a.getHostString(), a.getPort()).usePlaintext()
        .build();
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
