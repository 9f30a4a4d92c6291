package raft.jepsen.client;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import raft.kv.api.etcdserverpb.HashKVRequest;
import raft.kv.api.etcdserverpb.HashKVResponse;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.MaintenanceGrpc;
import raft.kv.api.etcdserverpb.RangeRequest;

/**
 * After the final read: every member's hash of its history at one revision (etcd's HashKV),
 * once that member has applied that far (a linearizable read on it first). Raft's State
 * Machine Safety (§5.4.3) says they must all be equal. Blocking, bounded per member.
 */
public final class ReplicaHashes {
  private ReplicaHashes() {}

  /** One member's answer: its hash and compact revision, or why it gave none. */
  public record Hash(String endpoint, long hash, long compactRevision, String error) {
    public boolean answered() {
      return error == null;
    }
  }

  public static List<Hash> at(Dialer dialer, List<String> endpoints, long revision,
      long timeoutMillis) throws InterruptedException {
    List<Hash> out = new ArrayList<>();
    for (String ep : endpoints) {
      out.add(of(dialer, ep, revision, timeoutMillis));
    }
    return out;
  }

  private static Hash of(Dialer dialer, String endpoint, long revision, long timeoutMillis)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    String last = "no attempt";
    while (System.nanoTime() < deadline) {
      ManagedChannel ch = dialer.dial(endpoint);
      try {
        KVGrpc.newBlockingStub(ch).withDeadlineAfter(3, TimeUnit.SECONDS).range(
            RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("jepsen")).build());
        HashKVResponse h = MaintenanceGrpc.newBlockingStub(ch)
            .withDeadlineAfter(3, TimeUnit.SECONDS)
            .hashKV(HashKVRequest.newBuilder().setRevision(revision).build());
        return new Hash(endpoint, Integer.toUnsignedLong(h.getHash()), h.getCompactRevision(),
            null);
      } catch (RuntimeException notYet) {
        last = notYet.getMessage();
        Thread.sleep(250);
      } finally {
        ch.shutdownNow();
      }
    }
    return new Hash(endpoint, 0, 0, last);
  }
}
