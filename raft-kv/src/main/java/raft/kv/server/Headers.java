package raft.kv.server;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import raft.kv.api.etcdserverpb.ResponseHeader;
import raft.kv.mvcc.MvccStore;
import raft.runtime.NodeRuntime;

/** Fills etcd's response header: cluster id, member id, store revision and Raft term. */
final class Headers {
  // Each response type's "header" field, found once: findFieldByName builds the field's full
  // name on every lookup (about 160 bytes per put on the leader, JFR put-64).
  private static final Map<Descriptor, FieldDescriptor> HEADER_FIELDS = new ConcurrentHashMap<>();

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
        .setRaftTerm(runtime.term())
        .build();
  }

  /**
   * An applied result or range response with its header completed: the store filled in the
   * revision, this fills in cluster, member and term. Every etcd response has field "header".
   */
  @SuppressWarnings("unchecked")
  <T extends Message> T complete(T response) {
    FieldDescriptor f = headerField(response.getDescriptorForType());
    ResponseHeader partial = (ResponseHeader) response.getField(f);
    return (T) response.toBuilder().setField(f, at(partial.getRevision())).build();
  }

  private static FieldDescriptor headerField(Descriptor type) {
    FieldDescriptor f = HEADER_FIELDS.get(type);
    if (f == null) {
      f = type.findFieldByName("header");
      if (f != null) {
        HEADER_FIELDS.put(type, f);
      }
    }
    return f;
  }

  long memberId() {
    return memberId;
  }

  long clusterId() {
    return clusterId;
  }
}
