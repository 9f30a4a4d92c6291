package raft.storage;

/**
 * Whose data a data directory holds: one member of one cluster. Recorded in the WAL (a
 * metadata record at the start of every segment, as etcd's WAL does) and in every snapshot
 * file's header, and checked at every start, so that a member never runs on another member's
 * or another cluster's log. The ids are the owner's (raft-kv derives them from
 * {@code --name} and {@code --initial-cluster}); raft-core only compares them.
 */
public record MemberIdentity(long memberId, long clusterId) {

  public MemberIdentity {
    if (memberId == 0 || clusterId == 0) {
      throw new IllegalArgumentException("a member identity needs non-zero ids: member "
          + memberId + " of cluster " + Long.toHexString(clusterId));
    }
  }

  /** "member 2 of cluster 10005f3a...". */
  @Override
  public String toString() {
    return "member " + Long.toUnsignedString(memberId) + " of cluster "
        + Long.toHexString(clusterId);
  }
}
