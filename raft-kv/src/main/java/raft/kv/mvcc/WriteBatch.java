package raft.kv.mvcc;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import raft.kv.api.mvccpb.KeyValue;

/**
 * The writes of one request (a put, a delete, a txn, a lease revoke) before they are committed:
 * they all get revision {@code revision}, numbered by sub in write order. Reads inside a txn see
 * them through {@link #pending}. Discarded without trace if the request fails.
 */
final class WriteBatch {
  final long revision;
  final List<Change> changes = new ArrayList<>();
  // The newest pending change per key, so later ops of the same txn see earlier ones. Built
  // on the first read that needs it: most batches (a put, a delete of a range, a lease revoke)
  // are never read, and a delete of a million keys would index them all for nothing.
  private TreeMap<ByteString, Change> pending;

  WriteBatch(long revision) {
    this.revision = revision;
  }

  boolean isEmpty() {
    return changes.isEmpty();
  }

  TreeMap<ByteString, Change> pending() {
    if (pending == null) {
      pending = new TreeMap<>(KeyRange.ORDER);
      for (Change c : changes) {
        pending.put(c.kv().getKey(), c);
      }
    }
    return pending;
  }

  void put(KeyValue kv) {
    add(new Change(revision, changes.size(), kv));
  }

  void delete(ByteString key) {
    add(Change.tombstone(key, revision, changes.size()));
  }

  private void add(Change c) {
    changes.add(c);
    if (pending != null) {
      pending.put(c.kv().getKey(), c);
    }
  }
}
