package raft.kv.server;

import io.grpc.stub.StreamObserver;
import java.util.List;
import raft.kv.api.etcdserverpb.ClusterGrpc;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.api.etcdserverpb.MemberListRequest;
import raft.kv.api.etcdserverpb.MemberListResponse;

/** etcd's Cluster service: the member list (membership is fixed at start in this project). */
final class ClusterService extends ClusterGrpc.ClusterImplBase {
  private final List<Member> members;
  private final Headers headers;

  ClusterService(List<Member> members, Headers headers) {
    this.members = List.copyOf(members);
    this.headers = headers;
  }

  @Override
  public void memberList(MemberListRequest r, StreamObserver<MemberListResponse> out) {
    Rpc.answer(MemberListResponse.newBuilder().setHeader(headers.at(0))
        .addAllMembers(members).build(), out);
  }
}
