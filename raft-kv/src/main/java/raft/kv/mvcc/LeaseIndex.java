package raft.kv.mvcc;

import com.google.protobuf.ByteString;

/**
 * What the store needs to know about leases: whether one exists (a put naming an unknown lease
 * is refused) and which keys are attached to which lease (so a revoke knows what to delete).
 *
 * <p>Threading: called with the store's write lock held, on the apply thread; implementations
 * must not call back into the store.
 */
public interface LeaseIndex {
  boolean exists(long leaseId);

  void attach(long leaseId, ByteString key);

  void detach(long leaseId, ByteString key);

  /** No leases at all: every lease id is unknown. For a store used without a Lessor. */
  LeaseIndex NONE = new LeaseIndex() {
    @Override
    public boolean exists(long leaseId) {
      return false;
    }

    @Override
    public void attach(long leaseId, ByteString key) {}

    @Override
    public void detach(long leaseId, ByteString key) {}
  };
}
