package raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.transport.Strangers;

/**
 * Strangers on a real member's peer port: many connections that each announce a 60 MiB frame
 * and send 8 MiB of it, and a crowd that sends nothing. The member (256 MiB of heap, so 256 MiB
 * of direct memory) must keep its memory, keep its peers and keep serving writes.
 */
class PeerPortFloodTest {
  private static final int OFFSET = 70;
  private static final int STRANGERS = 24;
  private static final int SENT_EACH = 8 << 20;
  private static final int SILENT = 100;
  private static LocalCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = new LocalCluster(3, OFFSET, "peer-flood").start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @DisplayName("a flood of huge length prefixes and silent connections: the member keeps its"
      + " memory and serves writes")
  void floodOfStrangers() throws Exception {
    KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(cluster.channel(1));
    put(kv, "before", "up");
    long pid = Long.parseLong(Files.readString(cluster.data.resolve("n1.pid")).trim());
    long rssBefore = rssBytes(pid);
    List<Socket> strangers = new ArrayList<>();
    try {
      assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
        for (int i = 0; i < STRANGERS; i++) {
          strangers.add(Strangers.prefixThenBytes(12380 + OFFSET, 60 << 20, SENT_EACH));
        }
        for (int i = 0; i < SILENT; i++) {
          strangers.add(new Socket("127.0.0.1", 12380 + OFFSET));
        }
      });
      // With every stranger still connected: writes need n1's peers, reads see them.
      for (int i = 0; i < 20; i++) {
        put(kv, "during" + i, "v" + i);
      }
      assertEquals("v19", kv.withDeadlineAfter(10, TimeUnit.SECONDS).range(RangeRequest
          .newBuilder().setKey(ByteString.copyFromUtf8("during19")).build())
          .getKvs(0).getValue().toStringUtf8());
      long grown = rssBytes(pid) - rssBefore;
      System.out.println("n1's resident memory grew by " + grown + " bytes during the flood");
      // With the old 64 MiB limit before the Hello it grew by 275 MB and the direct memory ran
      // out within two seconds; now that running out of memory ends a member, n1 exited.
      assertTrue(grown < 64 << 20, "n1's resident memory grew by " + grown + " bytes");
    } finally {
      for (Socket s : strangers) {
        s.close();
      }
    }
    put(kv, "after", "up");
    String log = cluster.log(1);
    assertFalse(log.contains("OutOfMemoryError"), log); // "Cannot reserve ... direct buffer"
    assertTrue(log.contains("before its Hello, over the 4096-byte limit"), log);
  }

  private static void put(KVGrpc.KVBlockingStub kv, String key, String value) {
    kv.withDeadlineAfter(10, TimeUnit.SECONDS).put(PutRequest.newBuilder()
        .setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8(value)).build());
  }

  /** Resident memory of a process, from Linux's /proc. */
  private static long rssBytes(long pid) throws IOException {
    for (String line : Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    }
    throw new IOException("no VmRSS for pid " + pid);
  }
}
