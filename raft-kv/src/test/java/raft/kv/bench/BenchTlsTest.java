package raft.kv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.main.CliRun;
import raft.kv.server.InProcessCluster;
import raft.kv.server.KvServer;
import raft.kv.tls.TestCerts;

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
    InetSocketAddress client = InProcessCluster.freePort();
    server = InProcessCluster.tlsMember(dir.resolve("n1"), certs, client, List.of(), line -> { });
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
