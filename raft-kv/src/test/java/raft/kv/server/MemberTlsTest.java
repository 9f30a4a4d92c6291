package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.main.CliRun;
import raft.kv.tls.TestCerts;

/** Which certificates a member forwards PromoteMember to the leader with. */
class MemberTlsTest {
  @TempDir static Path dir;
  static Path certs;

  @BeforeAll
  static void certs() throws Exception {
    certs = TestCerts.make(dir.resolve("certs"), 2);
  }

  private static ServerConfig config(String cluster, String... more) {
    List<String> args = new ArrayList<>(List.of("server", "--name", "n1", "--initial-cluster",
        cluster, "--listen-client-urls", "https://127.0.0.1:2379", "--cert-file", f("n1.crt"),
        "--key-file", f("n1.key"), "--trusted-ca-file", f("client.crt")));
    args.addAll(List.of(more));
    CliRun r = CliRun.run(args.toArray(String[]::new));
    assertEquals(0, r.exit(), r.err());
    return r.servers().get(0);
  }

  private static String f(String name) {
    return certs.resolve(name).toString();
  }

  /** As etcd, which forwards over the peer transport: the peer CA and the peer certificate. */
  @Test
  void withPeerTlsThePeerFilesAreUsed() {
    ServerConfig c = config("n1=https://127.0.0.1:12380", "--peer-cert-file", f("n2.crt"),
        "--peer-key-file", f("n2.key"), "--peer-trusted-ca-file", f("ca.crt"));
    assertEquals(new MemberTls.ForwardFiles(certs.resolve("ca.crt"), certs.resolve("n2.crt"),
        certs.resolve("n2.key")), MemberTls.forwardFiles(c));
  }

  @Test
  void withoutPeerTlsTheClientPortFilesAreAllThereIs() {
    ServerConfig c = config("n1=http://127.0.0.1:12380");
    assertEquals(new MemberTls.ForwardFiles(certs.resolve("client.crt"),
        certs.resolve("n1.crt"), certs.resolve("n1.key")), MemberTls.forwardFiles(c));
  }
}
