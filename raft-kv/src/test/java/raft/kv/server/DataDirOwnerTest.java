package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member's data directory is its own (issue 12, section 2), in one JVM: the lock refuses a
 * second server on it, and the owner check refuses another member or cluster, in the words of
 * --name and --initial-cluster. Nothing is started: the refusals come before any port.
 */
class DataDirOwnerTest {
  @TempDir
  Path dir;

  private static Map<String, InetSocketAddress> members(int firstPort) {
    Map<String, InetSocketAddress> m = new LinkedHashMap<>();
    for (int i = 1; i <= 3; i++) {
      m.put("n" + i, new InetSocketAddress("127.0.0.1", firstPort + i));
    }
    return m;
  }

  private ServerConfig config(String name, Map<String, InetSocketAddress> members) {
    return new ServerConfig(name, members, new InetSocketAddress("127.0.0.1", 1),
        members.get(name), dir.resolve("n1"), 20, 200, ServerConfig.DEFAULT_SNAPSHOT_COUNT,
        ServerConfig.DEFAULT_MAX_REQUEST_BYTES, ServerConfig.DEFAULT_AUTO_COMPACTION, 0,
        Map.of());
  }

  @Test
  @DisplayName("a second server on a member's directory is refused, naming the holder")
  void secondServerIsRefused() throws IOException {
    ServerConfig n1 = config("n1", members(12000));
    try (KvServer first = new KvServer(n1, line -> { })) {
      IOException e = assertThrows(IOException.class, () -> new KvServer(config("n2",
          members(12000)), line -> { }));
      assertTrue(e.getMessage().startsWith("data directory " + dir.resolve("n1")
          + " is in use by member n1 (pid " + ProcessHandle.current().pid() + ")"),
          e.getMessage());
    }
    new KvServer(n1, line -> { }).close(); // closing released it
  }

  @Test
  @DisplayName("another member's or cluster's directory is refused, saying what does not match")
  void anotherOwnerIsRefused() throws IOException {
    ServerConfig n1 = config("n1", members(12000));
    new KvServer(n1, line -> { }).close();
    ServerConfig n2 = config("n2", members(12000));
    IOException member = assertThrows(IOException.class, () -> new KvServer(n2, line -> { }));
    String cluster = Long.toHexString(n1.clusterId());
    assertEquals("data directory " + dir.resolve("n1") + " belongs to n1 (member 1) of cluster "
        + cluster + ", but this member is n2 (member 2) of cluster " + cluster
        + ": start it with the right --name/--initial-cluster or --data-dir", member.getMessage());

    ServerConfig elsewhere = config("n1", members(13000));
    IOException other = assertThrows(IOException.class,
        () -> new KvServer(elsewhere, line -> { }));
    assertEquals("data directory " + dir.resolve("n1") + " belongs to member 1 of cluster "
        + cluster + ", but this member is n1 (member 1) of cluster "
        + Long.toHexString(elsewhere.clusterId()) + " (another --initial-cluster): start it "
        + "with the right --name/--initial-cluster or --data-dir", other.getMessage());
    new KvServer(n1, line -> { }).close(); // the refusals left the lock free and the data whole
  }
}
