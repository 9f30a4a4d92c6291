package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.api.etcdserverpb.HashRequest;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.MaintenanceGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.SnapshotRequest;
import raft.kv.api.etcdserverpb.SnapshotResponse;

/**
 * A backup or hash leaves nothing in the data directory: not the exported snapshot, not the
 * etcd database written from it, even when the client goes away after the first chunk. Waits
 * for the member's own threads (snapshot-save, hash) to end, bounded, rather than polling.
 */
class SnapshotCleanupTest {
  @TempDir Path dir;

  @Test
  void aClientThatLeavesMidStreamAndAHashLeaveNoTemporaryFile() throws Exception {
    try (InProcessCluster c = new InProcessCluster(1, 1, dir.resolve("c"))) {
      c.awaitLeader();
      ManagedChannel ch = ManagedChannelBuilder.forTarget(c.endpoints()).usePlaintext().build();
      try {
        byte[] value = new byte[16 * 1024]; // 4 MB: many 32 KiB chunks, so the cancel is early
        for (int i = 0; i < 256; i++) {
          KVGrpc.newBlockingStub(ch).put(PutRequest.newBuilder()
              .setKey(ByteString.copyFromUtf8("k" + i)).setValue(ByteString.copyFrom(value))
              .build());
        }
        Context.CancellableContext call = Context.current().withCancellation();
        SnapshotResponse first = call.call(() -> {
          Iterator<SnapshotResponse> it = MaintenanceGrpc.newBlockingStub(ch)
              .snapshot(SnapshotRequest.getDefaultInstance());
          return it.next();
        });
        call.cancel(null);
        assertFalse(first.getBlob().isEmpty());
        MaintenanceGrpc.newBlockingStub(ch).hash(HashRequest.getDefaultInstance());
        awaitThreads("snapshot-save", "hash");
        assertEquals(List.of(), temporaryFiles(dir), "left in the data directory");
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  /** Joins every live thread so named, 60 s each at most. */
  private static void awaitThreads(String... names) throws InterruptedException {
    List<String> wanted = List.of(names);
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (wanted.contains(t.getName())) {
        t.join(60_000);
        assertFalse(t.isAlive(), t.getName() + " still running after 60 s");
      }
    }
  }

  private static List<Path> temporaryFiles(Path root) throws java.io.IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
    }
  }
}
