package raft.kv.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.client.ClientTls;
import raft.kv.client.Clients;
import raft.kv.main.CliRun;
import raft.kv.server.ServerConfig;

/**
 * {@code scripts/cluster start --tls} without a server: what the layout records, the flags every
 * member gets, the lines start prints, and the refusals. The process test (raft-tests
 * ClusterTlsTest) runs the printed etcdctl line against real members.
 */
class ClusterTlsTest {
  @TempDir Path dir;

  private CliRun cluster(String... args) {
    List<String> all = new ArrayList<>(List.of("cluster"));
    all.addAll(List.of(args));
    all.addAll(List.of("--data", dir.toString()));
    return CliRun.run(all.toArray(String[]::new));
  }

  @Test
  void aTlsLayoutNamesEveryClientAndPeerUrlHttps() {
    ClusterLayout l = new ClusterLayout(3, 1000, dir, true);
    assertEquals("https://127.0.0.1:3379,https://127.0.0.1:23379,https://127.0.0.1:33379",
        l.endpoints());
    assertEquals("n1=https://127.0.0.1:13380,n2=https://127.0.0.1:23380,"
        + "n3=https://127.0.0.1:33380", l.initialCluster());
    assertEquals("https://127.0.0.1:23380", l.peerUrl(2));
    assertTrue(l.memberClientUrls().startsWith("n1=https://127.0.0.1:3379,n2=https://"),
        l.memberClientUrls());
    assertEquals("127.0.0.1:3381", l.metricsEndpoint(1), "metrics stay plain HTTP");
    // The plain layout is what it always was.
    ClusterLayout plain = new ClusterLayout(3, 1000, dir);
    assertFalse(plain.tls());
    assertEquals("127.0.0.1:3379,127.0.0.1:23379,127.0.0.1:33379", plain.endpoints());
    assertEquals("http://127.0.0.1:23380", plain.peerUrl(2));
  }

  @Test
  void tlsIsRecordedSoEveryLaterVerbUsesIt() throws IOException {
    new ClusterLayout(3, 0, dir, true).save();
    assertTrue(ClusterLayout.load(dir).orElseThrow().tls());
    assertTrue(Files.readString(dir.resolve(ClusterLayout.MARKER)).contains("tls=true"));
    // A directory recorded before TLS existed has no tls line: plain.
    Files.writeString(dir.resolve(ClusterLayout.MARKER), "nodes=3\nport-offset=0\n");
    assertFalse(ClusterLayout.load(dir).orElseThrow().tls());
  }

  @Test
  void membersGetEtcdsTlsFlagsForBothPortsAndHttpsUrls() throws IOException {
    ClusterLayout l = new ClusterLayout(3, 0, dir, true);
    String cmd = String.join(" ", new NodeProcesses(l).command(2, Path.of("/x/raftkv.jar")));
    Path t = dir.resolve("tls");
    assertTrue(cmd.contains(" --initial-cluster n1=https://127.0.0.1:12380,"
        + "n2=https://127.0.0.1:22380,n3=https://127.0.0.1:32380"
        + " --listen-client-urls https://127.0.0.1:22379"
        + " --listen-peer-urls https://127.0.0.1:22380"
        + " --listen-metrics-urls http://127.0.0.1:22381"
        + " --member-client-urls " + l.memberClientUrls()
        + " --data-dir " + dir.resolve("n2")
        + " --cert-file " + t.resolve("n2.crt") + " --key-file " + t.resolve("n2.key")
        + " --trusted-ca-file " + t.resolve("ca.crt") + " --client-cert-auth"
        + " --peer-cert-file " + t.resolve("n2.crt") + " --peer-key-file " + t.resolve("n2.key")
        + " --peer-trusted-ca-file " + t.resolve("ca.crt") + " --peer-client-cert-auth"), cmd);
    String plain = String.join(" ", new NodeProcesses(new ClusterLayout(3, 0, dir))
        .command(2, Path.of("/x/raftkv.jar")));
    assertFalse(plain.contains("cert"), plain);
    assertFalse(plain.contains("https"), plain);
  }

  /**
   * The certificates scripts/tls-certs makes (the real script, found beside the jar as start
   * finds it) and the member's command line are what the server's own flags accept: TLS on
   * both ports, client certificates required on both.
   */
  @Test
  void theMembersCommandLineWithRealCertificatesParsesAsTheServersOwnFlags() throws Exception {
    ClusterLayout l = new ClusterLayout(3, 0, dir, true);
    ClusterTls tls = new ClusterTls(l);
    tls.makeCertificates(Path.of("..", "raft-kv", "target", "raftkv.jar"));
    for (int k = 1; k <= ClusterLayout.MAX_NODES; k++) {
      assertTrue(Files.isRegularFile(tls.nodeCert(k)) && Files.isRegularFile(tls.nodeKey(k)));
    }
    List<String> cmd = new NodeProcesses(l).command(1, Path.of("/x/raftkv.jar"));
    List<String> serverArgs = cmd.subList(cmd.indexOf("server"), cmd.size());
    CliRun r = CliRun.run(serverArgs.toArray(String[]::new));
    assertEquals(0, r.exit(), r.err());
    ServerConfig c = r.servers().get(0);
    assertEquals("https", c.clientScheme());
    assertEquals("https", c.peerScheme());
    assertTrue(c.clientTls().requiresClientCert());
    assertEquals(tls.ca(), c.peerTls().trustedCa());
    assertTrue(c.peerTls().clientCertAuth());
  }

  @Test
  void startPrintsTheEtcdctlLineWithTheClusterCertificates() {
    ClusterLayout l = new ClusterLayout(3, 0, dir, true);
    Path t = dir.resolve("tls");
    String eps = "https://127.0.0.1:2379,https://127.0.0.1:22379,https://127.0.0.1:32379";
    String flags = " --cacert=" + t.resolve("ca.crt") + " --cert=" + t.resolve("client.crt")
        + " --key=" + t.resolve("client.key");
    assertEquals(List.of("endpoints: " + eps,
        "tls: CA, member and client certificates in " + t + "; clients must present client.crt",
        "try: scripts/raftkv --endpoints=" + eps + flags + " put greeting hello",
        "     ETCDCTL_API=3 etcdctl --endpoints=" + eps + flags + " get greeting",
        "     ETCDCTL_API=3 etcdctl --endpoints=" + eps + flags + " endpoint status -w table"),
        StartVerbs.tryLines(l, List.of(1, 2, 3)));
    // A plain cluster prints what it always printed.
    String plain = "127.0.0.1:2379,127.0.0.1:22379";
    assertEquals(List.of("endpoints: " + plain,
        "try: scripts/raftkv --endpoints=" + plain + " put greeting hello",
        "     ETCDCTL_API=3 etcdctl --endpoints=" + plain + " get greeting"),
        StartVerbs.tryLines(new ClusterLayout(3, 0, dir), List.of(1, 2)));
  }

  @Test
  void aPathThatIsNotOneShellWordIsQuoted() {
    assertEquals("/a/b-c_d.crt", ClusterTls.shellWord(Path.of("/a/b-c_d.crt")));
    assertEquals("'/my data/it'\\''s/ca.crt'",
        ClusterTls.shellWord(Path.of("/my data/it's/ca.crt")));
  }

  @Test
  void theLauncherPresentsTheClientCertificate() {
    ClusterTls tls = new ClusterTls(new ClusterLayout(3, 0, dir, true));
    Path t = dir.resolve("tls");
    assertEquals(new ClientTls(t.resolve("ca.crt"), t.resolve("client.crt"),
        t.resolve("client.key"), false), tls.clientTls());
    assertEquals(ClientTls.NONE, new ClusterTls(new ClusterLayout(3, 0, dir)).clientTls());
  }

  @Test
  void aMemberIsKnownByItsPeerHostAndPortWhateverTheScheme() {
    ClusterLayout l = new ClusterLayout(3, 0, dir, true);
    Member https = Member.newBuilder().addPeerURLs("https://127.0.0.1:22380").build();
    Member http = Member.newBuilder().addPeerURLs("http://127.0.0.1:22380").build();
    assertEquals(2, l.nodeOf(https).getAsInt());
    assertEquals(2, l.nodeOf(http).getAsInt());
  }

  @Test
  void aPlainClusterIsNotTurnedIntoATlsOne() throws IOException {
    new ClusterLayout(1, 13000, dir).save();
    CliRun r = cluster("start", "--nodes", "1", "--port-offset", "13000", "--tls");
    assertEquals(1, r.exit());
    assertEquals("Error: " + dir + " holds a cluster started without --tls: its members know"
        + " each other by http:// URLs; start it without --tls, or run clean first and start a"
        + " new one with --tls", r.errLine());
    assertFalse(Files.exists(dir.resolve("tls")), "no certificates made");
    assertFalse(ClusterLayout.load(dir).orElseThrow().tls(), "the record is unchanged");
  }

  @Test
  void theCertificateScriptIsFoundBesideTheJarOrRefusedClearly() throws IOException {
    String was = System.clearProperty("raftkv.root");
    try {
      Path repo = dir.resolve("repo");
      Path script = repo.resolve("scripts/tls-certs");
      Files.createDirectories(script.getParent());
      Files.writeString(script, "#!/bin/sh\n");
      script.toFile().setExecutable(true);
      assertEquals(script, ClusterTls.script(repo.resolve("raft-kv/target/raftkv.jar")));
      Clients.Failure f = assertThrows(Clients.Failure.class,
          () -> ClusterTls.script(dir.resolve("elsewhere/raft-kv/target/raftkv.jar")));
      assertTrue(f.getMessage().startsWith("scripts/tls-certs not found"), f.getMessage());
    } finally {
      if (was != null) {
        System.setProperty("raftkv.root", was);
      }
    }
  }
}
