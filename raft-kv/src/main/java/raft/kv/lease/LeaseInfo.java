package raft.kv.lease;

import com.google.protobuf.ByteString;
import java.util.List;

/** What the state machine knows of a lease: its granted TTL and the keys attached to it. */
public record LeaseInfo(long id, long grantedTtl, List<ByteString> keys) {
  public LeaseInfo {
    keys = List.copyOf(keys);
  }
}
