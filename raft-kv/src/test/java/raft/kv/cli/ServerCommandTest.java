package raft.kv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import raft.kv.main.CliRun;
import raft.kv.server.AutoCompaction;
import raft.kv.server.ServerConfig;

class ServerCommandTest {
  private static final String CLUSTER =
      "n1=http://127.0.0.1:12380,n2=127.0.0.1:22380,n3=http://127.0.0.1:32380";

  @Test
  void etcdFlagsBecomeAServerConfig() {
    CliRun r = CliRun.run("server", "--name", "n2", "--initial-cluster", CLUSTER,
        "--listen-client-urls", "http://127.0.0.1:22379", "--listen-peer-urls",
        "127.0.0.1:22380", "--data-dir", "/tmp/d2", "--heartbeat-interval", "50",
        "--election-timeout", "500", "--snapshot-count", "7", "--max-request-bytes", "1024");
    assertEquals(0, r.exit(), r.err());
    ServerConfig c = r.servers().get(0);
    assertEquals("n2", c.name());
    assertEquals(new InetSocketAddress("127.0.0.1", 22379), c.clientAddress());
    assertEquals(new InetSocketAddress("127.0.0.1", 22380), c.peerAddress());
    assertEquals(new InetSocketAddress("127.0.0.1", 32380), c.initialCluster().get("n3"));
    assertEquals(Path.of("/tmp/d2"), c.dataDir());
    assertEquals(50, c.heartbeatMillis());
    assertEquals(500, c.electionMillis());
    assertEquals(7, c.snapshotCount());
    assertEquals(1024, c.maxRequestBytes());
    assertEquals(2, c.memberId());
  }

  @Test
  void listenMetricsUrlsTakesHttpUrlsAsEtcdDoes() {
    CliRun r = CliRun.run("server", "--name", "n1", "--initial-cluster", CLUSTER,
        "--listen-metrics-urls", "http://127.0.0.1:2381,http://127.0.0.1:9381");
    assertEquals(0, r.exit(), r.err());
    assertEquals(java.util.List.of(new InetSocketAddress("127.0.0.1", 2381),
        new InetSocketAddress("127.0.0.1", 9381)), r.servers().get(0).metricsAddresses());
    assertEquals(java.util.List.of(), CliRun.run("server", "--name", "n1", "--initial-cluster",
        CLUSTER).servers().get(0).metricsAddresses(), "none unless asked, as etcd");
    CliRun https = CliRun.run("server", "--name", "n1", "--initial-cluster", CLUSTER,
        "--listen-metrics-urls", "https://127.0.0.1:2381");
    assertEquals(2, https.exit());
    assertTrue(https.err().contains("--listen-metrics-urls: 'https://127.0.0.1:2381' is not an"
        + " http:// URL"), https.err());
  }

  @Test
  void watchProgressNotifyIntervalTakesAGoDurationAndDefaultsToEtcds10Minutes() {
    CliRun r = CliRun.run("server", "--name", "n1", "--initial-cluster", CLUSTER,
        "--experimental-watch-progress-notify-interval", "500ms");
    assertEquals(0, r.exit(), r.err());
    assertEquals(java.time.Duration.ofMillis(500), r.servers().get(0).watchProgressInterval());
    assertEquals(java.time.Duration.ofMinutes(10), CliRun.run("server", "--name", "n1",
        "--initial-cluster", CLUSTER).servers().get(0).watchProgressInterval());
    for (String bad : List.of("10", "0", "5x", "")) {
      CliRun b = CliRun.run("server", "--name", "n1", "--initial-cluster", CLUSTER,
          "--experimental-watch-progress-notify-interval", bad);
      assertEquals(2, b.exit(), bad);
      assertTrue(b.err().contains("--experimental-watch-progress-notify-interval"), b.err());
    }
  }

  @Test
  void defaultsAreEtcds() {
    CliRun r = CliRun.run("server", "--name", "n1", "--initial-cluster", CLUSTER);
    assertEquals(0, r.exit(), r.err());
    ServerConfig c = r.servers().get(0);
    assertEquals(ServerConfig.DEFAULT_HEARTBEAT_MILLIS, c.heartbeatMillis());
    assertEquals(ServerConfig.DEFAULT_ELECTION_MILLIS, c.electionMillis());
    assertEquals(ServerConfig.DEFAULT_SNAPSHOT_COUNT, c.snapshotCount());
    assertEquals(ServerConfig.DEFAULT_MAX_REQUEST_BYTES, c.maxRequestBytes());
    assertEquals(new InetSocketAddress("127.0.0.1", 12380), c.peerAddress());
    assertEquals(new InetSocketAddress("127.0.0.1", 2379), c.clientAddress());
    assertEquals(Path.of("n1.raftkv"), c.dataDir());
    // Ours, not etcd's (which keeps all history): the history lives in the heap.
    assertEquals(ServerConfig.DEFAULT_AUTO_COMPACTION, c.autoCompaction());
    assertEquals(0, CliRun.run("server", "--name", "n1", "--initial-cluster", CLUSTER,
        "--auto-compaction-retention", "0").servers().get(0).autoCompaction().revisions());
    assertEquals(AutoCompaction.periodic(java.time.Duration.ofMinutes(5)), CliRun.run("server",
        "--name", "n1", "--initial-cluster", CLUSTER, "--auto-compaction-mode", "periodic",
        "--auto-compaction-retention", "5m").servers().get(0).autoCompaction());
  }

  @Test
  void spaceQuotaIsTheFlagOrAShareOfTheHeapOrNone() {
    ServerConfig byDefault = CliRun.run("server", "--name", "n1", "--initial-cluster", CLUSTER)
        .servers().get(0);
    assertEquals(Runtime.getRuntime().maxMemory() * 3 / 8, byDefault.spaceQuotaBytes(),
        (double) Runtime.getRuntime().maxMemory() / 1000);
    assertEquals(65536, CliRun.run("server", "--name", "n1", "--initial-cluster", CLUSTER,
        "--quota-backend-bytes", "65536").servers().get(0).spaceQuotaBytes());
    assertEquals(Long.MAX_VALUE, CliRun.run("server", "--name", "n1", "--initial-cluster",
        CLUSTER, "--quota-backend-bytes", "-1").servers().get(0).spaceQuotaBytes());
  }

  @Test
  void badFlagsExitTwoWithOneLine() {
    List<List<String>> bad = List.of(
        List.of("--name", "n9", "--initial-cluster", CLUSTER),
        List.of("--name", "n1", "--initial-cluster", "n1"),
        List.of("--name", "n1", "--initial-cluster", CLUSTER, "--election-timeout", "300"),
        List.of("--name", "n1", "--initial-cluster", CLUSTER, "--heartbeat-interval", "x"),
        List.of("--name", "n1", "--initial-cluster", CLUSTER, "--listen-client-urls",
            "127.0.0.1:1,127.0.0.1:2"),
        List.of("--name", "n1", "--initial-cluster", CLUSTER, "--listen-peer-urls", "nohost"),
        List.of("--name", "n1", "--initial-cluster", CLUSTER, "--bogus"),
        List.of("--name", "n1", "--initial-cluster", CLUSTER, "--auto-compaction-mode",
            "periodic"),
        List.of("--name", "n1", "--initial-cluster", CLUSTER, "--auto-compaction-mode",
            "hourly"),
        List.of("--name", "n1", "--initial-cluster", CLUSTER, "--auto-compaction-retention",
            "-1"),
        List.of("--initial-cluster", CLUSTER));
    for (List<String> flags : bad) {
      String[] args = new String[flags.size() + 1];
      args[0] = "server";
      for (int i = 0; i < flags.size(); i++) {
        args[i + 1] = flags.get(i);
      }
      CliRun r = CliRun.run(args);
      assertEquals(2, r.exit(), "exit code for " + flags);
      assertTrue(r.errLine().startsWith("Error: "), r.err());
      assertTrue(r.servers().isEmpty(), "no server may start for " + flags);
    }
  }

  @Test
  void nameMissingFromClusterIsNamedInTheMessage() {
    CliRun r = CliRun.run("server", "--name", "n9", "--initial-cluster", CLUSTER);
    assertTrue(r.errLine().contains("--name n9 is not in --initial-cluster"), r.err());
  }
}
