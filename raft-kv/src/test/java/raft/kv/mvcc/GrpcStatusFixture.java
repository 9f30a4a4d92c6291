package raft.kv.mvcc;

import io.grpc.Status;

/**
 * A state-machine class that speaks gRPC, as KvException once did: LayeringTest's rule must
 * report it. Test code only, so the real scan (main classes) never sees it.
 */
public final class GrpcStatusFixture {
  public static Status.Code refused() {
    return Status.Code.NOT_FOUND;
  }
}
