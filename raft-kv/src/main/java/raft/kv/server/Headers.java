package raft.kv.server;

import raft.kv.api.etcdserverpb.ResponseHeader;
import raft.kv.mvcc.MvccStore;
import raft.runtime.NodeRuntime;

/** Fills etcd's response header: cluster id, member id, store revision and Raft term. */
final class Headers {
  private final long clusterId;
  private final long memberId;
  private final NodeRuntime runtime;
  private final MvccStore store;

  Headers(long clusterId, long memberId, NodeRuntime runtime, MvccStore store) {
    this.clusterId = clusterId;
    this.memberId = memberId;
    this.runtime = runtime;
    this.store = store;
  }

  /** A header at the store's current revision. */
  ResponseHeader now() {
    return at(store.currentRevision());
  }

  /** A header at the revision a write was applied at (0 for calls that do not touch keys). */
  ResponseHeader at(long revision) {
    return ResponseHeader.newBuilder()
        .setClusterId(clusterId)
        .setMemberId(memberId)
        .setRevision(revision)
        .setRaftTerm(runtime.status().term())
        .build();
  }

  /** Keeps the revision an applied result carries, and fills in the rest. */
  ResponseHeader complete(ResponseHeader partial) {
    return at(partial.getRevision());
  }

  long memberId() {
    return memberId;
  }

  long clusterId() {
    return clusterId;
  }
}
