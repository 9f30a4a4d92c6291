package raft.kv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.main.CliRun;
import raft.kv.server.ServerConfig;
import raft.kv.tls.TestCerts;

/** etcd's TLS flags on {@code raftkv server}: what they turn on, and what is refused at start. */
class ServerTlsFlagsTest {
  private static final String HTTPS_CLUSTER =
      "n1=https://127.0.0.1:12380,n2=https://127.0.0.1:22380";
  @TempDir static Path dir;
  static Path certs;

  @BeforeAll
  static void certs() throws Exception {
    certs = TestCerts.make(dir.resolve("certs"), 2);
  }

  private static CliRun server(String cluster, String... more) {
    List<String> args = new ArrayList<>(List.of("server", "--name", "n1", "--initial-cluster",
        cluster));
    args.addAll(List.of(more));
    return CliRun.run(args.toArray(String[]::new));
  }

  private static String f(String name) {
    return certs.resolve(name).toString();
  }

  @Test
  void httpsUrlsWithTheFilesTurnTlsOnForEachPort() {
    CliRun r = server(HTTPS_CLUSTER, "--listen-client-urls", "https://127.0.0.1:2379",
        "--cert-file", f("n1.crt"), "--key-file", f("n1.key"), "--trusted-ca-file", f("ca.crt"),
        "--client-cert-auth", "--peer-cert-file", f("n1.crt"), "--peer-key-file", f("n1.key"),
        "--peer-trusted-ca-file", f("ca.crt"), "--peer-client-cert-auth");
    assertEquals(0, r.exit(), r.err());
    ServerConfig c = r.servers().get(0);
    assertEquals("https", c.clientScheme());
    assertEquals("https", c.peerScheme());
    assertTrue(c.clientTls().requiresClientCert());
    assertTrue(c.peerTls().clientCertAuth());
    assertEquals(certs.resolve("ca.crt"), c.peerTls().trustedCa());
  }

  @Test
  void plainUrlsLeaveTlsOffAndCertificateFlagsUnread() {
    CliRun r = server("n1=http://127.0.0.1:12380", "--cert-file", "/nonexistent");
    assertEquals(0, r.exit(), r.err());
    assertNull(r.servers().get(0).clientTls());
    assertNull(r.servers().get(0).peerTls());
  }

  @Test
  void httpsWithoutCertificateOrKeyIsRefused() {
    CliRun r = server("n1=http://127.0.0.1:12380", "--listen-client-urls",
        "https://127.0.0.1:2379");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("an https --listen-client-urls needs --cert-file and"
        + " --key-file"), r.err());
    CliRun peer = server(HTTPS_CLUSTER);
    assertEquals(2, peer.exit());
    assertTrue(peer.err().contains("https peer URLs need --peer-cert-file and --peer-key-file"),
        peer.err());
  }

  @Test
  void missingMismatchedOrMixedIsRefusedNamingTheFlagAndFile() {
    CliRun missing = server("n1=http://127.0.0.1:12380", "--listen-client-urls",
        "https://127.0.0.1:2379", "--cert-file", f("n1.crt"), "--key-file", "/nonexistent.key");
    assertEquals(2, missing.exit());
    assertTrue(missing.err().contains("--key-file /nonexistent.key: no such file"),
        missing.err());
    CliRun mismatch = server("n1=http://127.0.0.1:12380", "--listen-client-urls",
        "https://127.0.0.1:2379", "--cert-file", f("n1.crt"), "--key-file", f("n2.key"));
    assertEquals(2, mismatch.exit());
    assertTrue(mismatch.err().contains("--key-file " + f("n2.key") + " is not the private key"
        + " of --cert-file " + f("n1.crt") + " (CN=n1)"), mismatch.err());
    CliRun notPem = server(HTTPS_CLUSTER, "--peer-cert-file", f("n1.key"), "--peer-key-file",
        f("n1.key"));
    assertEquals(2, notPem.exit());
    assertTrue(notPem.err().contains("--peer-cert-file " + f("n1.key")
        + " is not a PEM certificate"), notPem.err());
    CliRun mixed = server("n1=https://127.0.0.1:12380,n2=http://127.0.0.1:22380",
        "--peer-cert-file", f("n1.crt"), "--peer-key-file", f("n1.key"));
    assertEquals(2, mixed.exit());
    assertTrue(mixed.err().contains("mix http and https peer URLs"), mixed.err());
    CliRun authWithoutCa = server("n1=http://127.0.0.1:12380", "--listen-client-urls",
        "https://127.0.0.1:2379", "--cert-file", f("n1.crt"), "--key-file", f("n1.key"),
        "--client-cert-auth");
    assertEquals(2, authWithoutCa.exit());
    assertTrue(authWithoutCa.err().contains("--client-cert-auth needs --trusted-ca-file"),
        authWithoutCa.err());
  }
}
