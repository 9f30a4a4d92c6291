package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.api.etcdserverpb.CompactionRequest;
import raft.kv.api.etcdserverpb.DeleteRangeRequest;
import raft.kv.api.etcdserverpb.HashRequest;
import raft.kv.api.etcdserverpb.HashResponse;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.MaintenanceGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.backup.EtcdHash;
import raft.kv.bbolt.BoltReader;
import raft.kv.main.CliRun;

/**
 * Maintenance.Hash (etcd's hash of the whole database) on three real members: equal once they
 * have applied the same log, different after one more write, and the same as the hash of a
 * backup of the member's database, which is how etcd defines it.
 */
class MaintenanceHashTest {
  @TempDir Path dir;

  @Test
  void equalOnEveryMemberThatAppliedTheSameLogAndChangedByAWrite() throws Exception {
    try (InProcessCluster c = new InProcessCluster(3, 3, dir.resolve("c"))) {
      long lead = c.awaitLeader();
      List<ManagedChannel> channels = new ArrayList<>();
      for (String ep : c.endpoints().split(",")) {
        channels.add(ManagedChannelBuilder.forTarget(ep).usePlaintext().build());
      }
      try {
        // Writes go to the leader: a follower may not have heard of it yet ("no leader").
        int leaderAt = 0;
        while (c.servers().get(leaderAt).runtime().status().id() != lead) {
          leaderAt++;
        }
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channels.get(leaderAt));
        for (int i = 0; i < 200; i++) {
          kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("k" + i % 50))
              .setValue(ByteString.copyFromUtf8("v" + i)).build());
        }
        kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k7"))
            .build());
        kv.compact(CompactionRequest.newBuilder().setRevision(120).build());
        List<HashResponse> hashes = agreedHashes(channels);
        for (HashResponse h : hashes) {
          assertEquals(hashes.get(0).getHash(), h.getHash(), hashes::toString);
          assertEquals(202, h.getHeader().getRevision(), "etcd's header: the store's revision");
        }
        assertBackupHashesAlike(channels.get(1), c.endpoints().split(",")[1]);
        kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("k1"))
            .setValue(ByteString.copyFromUtf8("changed")).build());
        for (HashResponse h : hashes(channels)) {
          assertNotEquals(hashes.get(0).getHash(), h.getHash(), "a write changes the hash");
          assertEquals(203, h.getHeader().getRevision());
        }
      } finally {
        for (ManagedChannel ch : channels) {
          ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
      }
    }
  }

  @Test
  void concurrentRequestsShareOneCopyAtATimeAndAllAreAnswered() throws Exception {
    try (InProcessCluster c = new InProcessCluster(1, 1, dir.resolve("one"))) {
      c.awaitLeader();
      ManagedChannel ch = ManagedChannelBuilder.forTarget(c.endpoints()).usePlaintext().build();
      try {
        KVGrpc.newBlockingStub(ch).put(PutRequest.newBuilder()
            .setKey(ByteString.copyFromUtf8("k")).setValue(ByteString.copyFromUtf8("v")).build());
        MaintenanceGrpc.MaintenanceFutureStub m = MaintenanceGrpc.newFutureStub(ch);
        List<com.google.common.util.concurrent.ListenableFuture<HashResponse>> asked =
            new ArrayList<>();
        for (int i = 0; i < 16; i++) {
          asked.add(m.hash(HashRequest.getDefaultInstance()));
        }
        HashResponse first = asked.get(0).get(60, TimeUnit.SECONDS);
        for (var f : asked) { // the running hash, then one more for everyone who waited
          HashResponse h = f.get(60, TimeUnit.SECONDS);
          assertEquals(first.getHash(), h.getHash());
          assertEquals(2, h.getHeader().getRevision());
        }
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * A backup of the member hashes as the member's Hash does. Internal entries (a member
   * publishing its attributes after start) may land between a hash and the backup; a pair of
   * hashes around the backup that agree shows none did, so only such a pair is compared
   * (bounded: a member that keeps changing fails the test).
   */
  private void assertBackupHashesAlike(ManagedChannel ch, String endpoint) throws Exception {
    for (int attempt = 0; attempt < 5; attempt++) {
      int before = hashes(List.of(ch)).get(0).getHash();
      Path backup = dir.resolve("backup" + attempt + ".db");
      CliRun saved = CliRun.run("--endpoints", endpoint, "snapshot", "save", backup.toString());
      assertEquals(0, saved.exit(), saved::err);
      if (hashes(List.of(ch)).get(0).getHash() != before) {
        continue;
      }
      try (BoltReader r = BoltReader.open(backup, Files.size(backup) - 32)) {
        assertEquals(before, EtcdHash.maintenanceHash(r),
            "the hash of the member's database, as a backup holds it");
      }
      return;
    }
    throw new AssertionError("the member's hash changed around each of 5 backups");
  }

  /**
   * Each member's hash, taken again (at most 10 rounds) while they differ: a member publishing
   * its attributes after start is an entry that may apply between two members' hashes. Members
   * that really differ never agree, and the caller's check fails.
   */
  private static List<HashResponse> agreedHashes(List<ManagedChannel> channels) {
    List<HashResponse> out = hashes(channels);
    for (int round = 1; round < 10
        && out.stream().map(HashResponse::getHash).distinct().count() > 1; round++) {
      out = hashes(channels);
    }
    return out;
  }

  /** Each member's hash, after a linearizable read there (so it has applied every write). */
  private static List<HashResponse> hashes(List<ManagedChannel> channels) {
    List<HashResponse> out = new ArrayList<>();
    for (ManagedChannel ch : channels) {
      KVGrpc.newBlockingStub(ch).range(RangeRequest.newBuilder()
          .setKey(ByteString.copyFromUtf8("k1")).build());
      out.add(MaintenanceGrpc.newBlockingStub(ch).hash(HashRequest.getDefaultInstance()));
    }
    return out;
  }
}
