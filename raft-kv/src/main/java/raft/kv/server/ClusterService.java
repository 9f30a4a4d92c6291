package raft.kv.server;

import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import raft.kv.api.etcdserverpb.ClusterGrpc;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.api.etcdserverpb.MemberAddRequest;
import raft.kv.api.etcdserverpb.MemberAddResponse;
import raft.kv.api.etcdserverpb.MemberListRequest;
import raft.kv.api.etcdserverpb.MemberListResponse;
import raft.kv.api.etcdserverpb.MemberPromoteRequest;
import raft.kv.api.etcdserverpb.MemberPromoteResponse;
import raft.kv.api.etcdserverpb.MemberRemoveRequest;
import raft.kv.api.etcdserverpb.MemberRemoveResponse;
import raft.kv.api.etcdserverpb.MemberUpdateRequest;
import raft.kv.api.etcdserverpb.MemberUpdateResponse;
import raft.kv.apply.Membership;

/**
 * etcd's Cluster service (v3rpc/member.go): the member list from the replicated registry, and
 * membership changes through Raft ({@link MemberChanges}), each answered once this member has
 * applied it, with the registry after it.
 */
final class ClusterService extends ClusterGrpc.ClusterImplBase {
  private final MemberChanges changes;
  private final Supplier<Membership.View> registry;
  private final Headers headers;
  private final LeaderForward forward;
  private final String peerScheme;

  /** {@code peerScheme}: this member's (ServerConfig.peerScheme()), which new URLs must use. */
  ClusterService(MemberChanges changes, Supplier<Membership.View> registry, Headers headers,
      LeaderForward forward, String peerScheme) {
    this.changes = changes;
    this.peerScheme = peerScheme;
    this.forward = forward;
    this.registry = registry;
    this.headers = headers;
  }

  @Override
  public void memberAdd(MemberAddRequest r, StreamObserver<MemberAddResponse> out) {
    Optional<List<String>> urls = checked(r.getPeerURLsList(), out);
    if (urls.isEmpty()) {
      return;
    }
    Rpc.reply(changes.add(urls.get(), r.getIsLearner()), added -> MemberAddResponse
        .newBuilder().setHeader(headers.at(0)).setMember(added.member())
        .addAllMembers(added.members()).build(), out);
  }

  /** The URLs as etcd stores them, or empty after answering {@code out} with the refusal. */
  private Optional<List<String>> checked(List<String> given, StreamObserver<?> out) {
    Optional<List<String>> urls = PeerUrls.parse(given);
    if (urls.isEmpty()) {
      out.onError(MemberErrors.badUrls());
      return urls;
    }
    Optional<String> wrong = PeerUrls.wrongScheme(urls.get(), peerScheme);
    if (wrong.isPresent()) {
      out.onError(MemberErrors.wrongScheme(wrong.get(), peerScheme));
      return Optional.empty();
    }
    return urls;
  }

  @Override
  public void memberRemove(MemberRemoveRequest r, StreamObserver<MemberRemoveResponse> out) {
    Rpc.reply(changes.remove(r.getID()), members -> MemberRemoveResponse.newBuilder()
        .setHeader(headers.at(0)).addAllMembers(members).build(), out);
  }

  @Override
  public void memberUpdate(MemberUpdateRequest r, StreamObserver<MemberUpdateResponse> out) {
    Optional<List<String>> urls = checked(r.getPeerURLsList(), out);
    if (urls.isEmpty()) {
      return;
    }
    Rpc.reply(changes.update(r.getID(), urls.get()), members -> MemberUpdateResponse
        .newBuilder().setHeader(headers.at(0)).addAllMembers(members).build(), out);
  }

  @Override
  public void memberPromote(MemberPromoteRequest r, StreamObserver<MemberPromoteResponse> out) {
    String token = Caller.TOKEN.get(); // read on the call's thread: the Context is there
    CompletableFuture<List<Member>> promoted = changes.promote(r.getID())
        .exceptionallyCompose(t -> isNotLeader(t) ? forward.promote(r.getID(), token)
            : CompletableFuture.failedFuture(t));
    Rpc.reply(promoted, members -> MemberPromoteResponse.newBuilder()
        .setHeader(headers.at(0)).addAllMembers(members).build(), out);
  }

  private static boolean isNotLeader(Throwable t) {
    return Errors.unwrap(t) instanceof io.grpc.StatusRuntimeException s
        && Errors.notLeader().getStatus().getDescription().equals(s.getStatus().getDescription());
  }

  /** This member's registry as applied (etcd 3.4's MemberList is not linearizable either). */
  @Override
  public void memberList(MemberListRequest r, StreamObserver<MemberListResponse> out) {
    List<Member> members = registry.get().members();
    Rpc.answer(MemberListResponse.newBuilder().setHeader(headers.at(0))
        .addAllMembers(members).build(), out);
  }
}
