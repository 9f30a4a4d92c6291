package raft.kv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.main.CliRun;
import raft.kv.server.InProcessCluster;
import raft.kv.server.KvServer;
import raft.kv.server.ServerConfig;
import raft.kv.tls.ServerTls;
import raft.kv.tls.TestCerts;
import raft.transport.PeerTls;

/**
 * {@code raftkv bench} against a member that requires client certificates (what {@code
 * scripts/bench-vs-etcd --tls} measures): with etcdctl's --cacert --cert --key every request
 * goes through, the leader target included (its Status call dials with them too); without a
 * client certificate nothing does.
 */
class BenchTlsTest {
  @TempDir static Path dir;
  static Path certs;
  static KvServer server;
  static String endpoint;

  @BeforeAll
  static void start() throws Exception {
    certs = TestCerts.make(dir.resolve("certs"), 1);
    InetSocketAddress peer = InProcessCluster.freePort();
    InetSocketAddress client = InProcessCluster.freePort();
    ServerConfig config = new ServerConfig("n1", Map.of("n1", peer), client, peer,
        dir.resolve("n1"), 20, 200, ServerConfig.DEFAULT_SNAPSHOT_COUNT,
        ServerConfig.DEFAULT_MAX_REQUEST_BYTES, ServerConfig.DEFAULT_AUTO_COMPACTION, 0,
        Map.of()).withTls(
            new ServerTls(certs.resolve("n1.crt"), certs.resolve("n1.key"),
                certs.resolve("ca.crt"), true),
            new PeerTls(certs.resolve("n1.crt"), certs.resolve("n1.key"),
                certs.resolve("ca.crt"), true));
    server = new KvServer(config, line -> { });
    server.start();
    InProcessCluster.awaitLeader(java.util.List.of(server));
    endpoint = "https://127.0.0.1:" + client.getPort();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void withTheClientCertificateEveryRequestGoesThrough() {
    CliRun r = CliRun.run("--cacert", certs.resolve("ca.crt").toString(),
        "--cert", certs.resolve("client.crt").toString(),
        "--key", certs.resolve("client.key").toString(),
        "bench", "put", "--total", "100", "--clients", "4", "--conns", "2",
        "--target", "leader", "--no-progress", "--endpoints", endpoint);
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().strip().endsWith("}") && r.out().contains("\"ops\":100,\"errors\":0,"),
        r.out());
  }

  @Test
  void withoutAClientCertificateNothingDoes() {
    CliRun r = CliRun.run("--cacert", certs.resolve("ca.crt").toString(),
        "--dial-timeout", "2s", "--command-timeout", "2s",
        "bench", "put", "--total", "5", "--no-progress", "--endpoints", endpoint);
    assertNotEquals(0, r.exit(), r.out() + r.err());
    assertTrue(!r.out().contains("\"ops\":5,"), r.out());
  }
}
