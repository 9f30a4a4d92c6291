package raft.log;

import raft.storage.MemberIdentity;

/** A protocol-package class that depends on raft.storage: PurityTest's layering rule must fail. */
public final class StorageUserFixture {
  public MemberIdentity identity;
}
