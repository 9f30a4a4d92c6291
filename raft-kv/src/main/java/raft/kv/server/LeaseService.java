package raft.kv.server;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;
import raft.kv.api.etcdserverpb.LeaseGrantRequest;
import raft.kv.api.etcdserverpb.LeaseGrantResponse;
import raft.kv.api.etcdserverpb.LeaseGrpc;
import raft.kv.api.etcdserverpb.LeaseKeepAliveRequest;
import raft.kv.api.etcdserverpb.LeaseKeepAliveResponse;
import raft.kv.api.etcdserverpb.LeaseLeasesRequest;
import raft.kv.api.etcdserverpb.LeaseLeasesResponse;
import raft.kv.api.etcdserverpb.LeaseRevokeRequest;
import raft.kv.api.etcdserverpb.LeaseRevokeResponse;
import raft.kv.api.etcdserverpb.LeaseStatus;
import raft.kv.api.etcdserverpb.LeaseTimeToLiveRequest;
import raft.kv.api.etcdserverpb.LeaseTimeToLiveResponse;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.apply.ApplyResult;
import raft.kv.auth.AuthView;
import raft.kv.auth.Permissions;
import raft.kv.lease.LeaseInfo;
import raft.kv.lease.Lessor;
import raft.kv.pb.InternalRequest;

/**
 * etcd's Lease service. Grants, revokes and keep-alives are Raft entries, so every member
 * knows every lease and a new leader inherits them; time-to-live comes from this member's
 * {@link LeaseTimer}.
 */
final class LeaseService extends LeaseGrpc.LeaseImplBase {
  private final RaftGateway raft;
  private final Lessor lessor;
  private final LeaseTimer timer;
  private final Headers headers;
  private final Supplier<AuthView> view;

  LeaseService(RaftGateway raft, Lessor lessor, LeaseTimer timer, Headers headers,
      Supplier<AuthView> view) {
    this.view = view;
    this.raft = raft;
    this.lessor = lessor;
    this.timer = timer;
    this.headers = headers;
  }

  @Override
  public void leaseGrant(LeaseGrantRequest r, StreamObserver<LeaseGrantResponse> out) {
    LeaseGrantRequest.Builder b = r.toBuilder();
    if (b.getID() == 0) {
      // The proposer picks the id, so applying the grant stays deterministic.
      b.setID(raft.nextId() & Long.MAX_VALUE);
    }
    Rpc.write(raft, headers, InternalRequest.newBuilder().setLeaseGrant(b),
        ApplyResult.LeaseGrant.class, out);
  }

  @Override
  public void leaseRevoke(LeaseRevokeRequest r, StreamObserver<LeaseRevokeResponse> out) {
    Rpc.write(raft, headers, InternalRequest.newBuilder().setLeaseRevoke(r),
        ApplyResult.LeaseRevoke.class, out);
  }

  @Override
  public StreamObserver<LeaseKeepAliveRequest> leaseKeepAlive(
      StreamObserver<LeaseKeepAliveResponse> out) {
    return new KeepAliveStream((ServerCallStreamObserver<LeaseKeepAliveResponse>) out, raft,
        headers);
  }

  @Override
  public void leaseTimeToLive(LeaseTimeToLiveRequest r,
      StreamObserver<LeaseTimeToLiveResponse> out) {
    if (!r.getKeys()) {
      Rpc.answer(timeToLive(r, null), out);
      return;
    }
    // etcd 3.4.26+ (CVE-2023-32082, checkLeaseTimeToLive): listing the keys needs read
    // permission on every one of them, else the call fails ("permission denied"...).
    Rpc.reply(Caller.current(), caller -> timeToLive(r, caller), out);
  }

  /** The answer; with {@code caller} (keys asked) each attached key is checked first. */
  private LeaseTimeToLiveResponse timeToLive(LeaseTimeToLiveRequest r, Caller caller) {
    LeaseTimeToLiveResponse.Builder b = LeaseTimeToLiveResponse.newBuilder().setID(r.getID());
    LeaseInfo info = lessor.lookup(r.getID()).orElse(null);
    if (info == null) {
      b.setTTL(-1); // etcd answers an unknown lease with TTL -1, not an error
    } else {
      b.setTTL(Math.max(0, timer.remainingSeconds(r.getID()))).setGrantedTTL(info.grantedTtl());
      if (caller != null) {
        Permissions p = new Permissions(view.get(), caller.user(), 0);
        info.keys().forEach(k -> p.range(RangeRequest.newBuilder().setKey(k).build()));
        b.addAllKeys(info.keys());
      }
    }
    return b.setHeader(headers.now()).build(); // its keys may be many: sent within the budget
  }

  @Override
  public void leaseLeases(LeaseLeasesRequest r, StreamObserver<LeaseLeasesResponse> out) {
    LeaseLeasesResponse.Builder b = LeaseLeasesResponse.newBuilder().setHeader(headers.now());
    for (long id : lessor.leaseIds()) {
      b.addLeases(LeaseStatus.newBuilder().setID(id));
    }
    Rpc.answer(b.build(), out); // one line per lease: may be large
  }
}
