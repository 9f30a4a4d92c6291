package raft.kv.mvcc;

import com.google.protobuf.ByteString;
import raft.kv.api.mvccpb.KeyValue;

/**
 * One entry of a key's history: the key as written at revision {@code main}, the
 * {@code sub}-th write of that revision (a txn writes several keys at one revision; sub orders
 * them, as etcd's (main, sub) revision pair does). A put has {@code kv.version >= 1}; a delete
 * is a tombstone whose kv carries only the key and {@code mod_revision = main} (version 0).
 */
record Change(long main, int sub, KeyValue kv) {

  boolean isTombstone() {
    return kv.getVersion() == 0;
  }

  static Change tombstone(ByteString key, long main, int sub) {
    return new Change(main, sub, KeyValue.newBuilder().setKey(key).setModRevision(main).build());
  }
}
