package raft.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.pb.MessageType.MSG_APP;
import static raft.pb.MessageType.MSG_HEARTBEAT;
import static raft.transport.TestPeers.msg;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The peer transport over TLS (etcd's https peer URLs with --peer-client-cert-auth). */
@ParameterizedClass(name = "on {0}")
@ValueSource(strings = {"epoll", "nio"})
class PeerTransportTlsTest extends OnBothTransports {

  @TempDir static Path dir;
  static Path certs;
  static Path other;

  @BeforeAll
  static void makeCerts() throws Exception {
    certs = Openssl.certs(dir.resolve("certs"), 3);
    other = Openssl.certs(dir.resolve("other"), 1);
  }

  private static PeerTls tls(Path from, String name, Path ca) {
    return new PeerTls(from.resolve(name + ".crt"), from.resolve(name + ".key"),
        ca.resolve("ca.crt"), true);
  }

  @Test
  @DisplayName("two TLS members exchange messages, and a joining member's question is answered"
      + " over TLS only")
  void membersTalkOverTls() throws Exception {
    Map<Long, InetSocketAddress> addrs = TestPeers.addresses(2);
    try (TestPeers a = TestPeers.start(1, addrs, o -> o.withTls(tls(certs, "n1", certs)));
        TestPeers b = TestPeers.start(2, addrs, o -> o.withTls(tls(certs, "n2", certs)))) {
      // the dials run on the same transport: a channel on another's event loop fails to register
      assertEquals(NettyIo.of(transport).serverChannel(), a.transport.listenerType());
      for (int i = 0; i < 100; i++) {
        a.transport.send(msg(MSG_APP, 1, 2, i));
      }
      for (int i = 0; i < 100; i++) {
        assertEquals(i, b.take().getIndex());
      }
      b.transport.send(msg(MSG_HEARTBEAT, 2, 1, 7));
      assertEquals(msg(MSG_HEARTBEAT, 2, 1, 7), a.take());
      PeerTls.Contexts joiner = tls(certs, "n3", certs).load();
      assertNotNull(PeerTransport.queryMembers(addrs.get(1L), Duration.ofSeconds(5), joiner));
      assertThrows(IOException.class,
          () -> PeerTransport.queryMembers(addrs.get(1L), Duration.ofSeconds(2)));
      assertThrows(IOException.class, () -> PeerTransport.queryMembers(addrs.get(1L),
          Duration.ofSeconds(5), tls(other, "n1", certs).load()), "another CA's certificate");
    }
  }

  @Test
  @DisplayName("a member whose certificate another CA signed is refused at the handshake,"
      + " logged once on each side however often it retries; nothing it sends arrives")
  void anotherCasMemberIsRefusedAndLoggedOnce() throws Exception {
    Map<Long, InetSocketAddress> addrs = TestPeers.addresses(3);
    try (TestPeers a = TestPeers.start(1, Map.of(1L, addrs.get(1L), 2L, addrs.get(2L)),
            o -> o.withTls(tls(certs, "n1", certs)));
        TestPeers c = TestPeers.start(3, Map.of(1L, addrs.get(1L), 3L, addrs.get(3L)),
            o -> o.withTls(tls(other, "n1", certs)))) {
      // Every retry (about one a second) is reported unreachable: wait for several.
      for (int retry = 0; retry < 3; retry++) {
        c.transport.send(msg(MSG_HEARTBEAT, 3, 1, retry));
        assertNotNull(c.unreachable.poll(TestPeers.WAIT_SECONDS, TimeUnit.SECONDS));
      }
      String refusal = a.awaitLog(l -> l.contains("peer TLS handshake from 127.0.0.1 refused"));
      assertTrue(refusal.contains("certificate CN=n1 (issued by CN=raftkv throwaway CA")
          && refusal.contains("is not trusted by --peer-trusted-ca-file"), refusal);
      List<String> aLines = new ArrayList<>(a.logs);
      assertEquals(0, aLines.stream().filter(l -> l.contains("peer TLS handshake")).count(),
          "logged once: " + aLines);
      List<String> cLines = new ArrayList<>(c.logs);
      assertEquals(1, cLines.stream().filter(l -> l.contains("is unreachable")).count(),
          "" + cLines);
      assertTrue(cLines.stream().anyMatch(l -> l.contains("is unreachable (TLS: ")),
          "the refused side says why: " + cLines);
      assertEquals(0, cLines.stream().filter(l -> l.contains("reconnected")).count(),
          "" + cLines);
      assertTrue(a.inbox.isEmpty(), "nothing from the refused member arrives");
    }
  }

  @Test
  @DisplayName("a dialer whose certificate names another address is refused, as etcd's peer"
      + " listener refuses it (the certificate of another host)")
  void aCertificateForAnotherAddressIsRefused() throws Exception {
    Path d = dir.resolve("elsewhere");
    java.nio.file.Files.createDirectories(d);
    Path key = d.resolve("n3.key");
    Path csr = d.resolve("n3.csr");
    Path ext = d.resolve("n3.ext");
    java.nio.file.Files.writeString(ext, "extendedKeyUsage=serverAuth,clientAuth\n"
        + "subjectAltName=IP:10.1.2.3\n");
    Openssl.run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-out", key.toString());
    Openssl.run("openssl", "req", "-new", "-key", key.toString(), "-subj", "/CN=n3", "-out",
        csr.toString());
    Openssl.run("openssl", "x509", "-req", "-in", csr.toString(), "-CA",
        certs.resolve("ca.crt").toString(), "-CAkey", certs.resolve("ca.key").toString(),
        "-set_serial", "99", "-days", "1", "-extfile", ext.toString(), "-out",
        d.resolve("n3.crt").toString());
    Map<Long, InetSocketAddress> addrs = TestPeers.addresses(3);
    try (TestPeers a = TestPeers.start(1, Map.of(1L, addrs.get(1L), 2L, addrs.get(2L)),
            o -> o.withTls(tls(certs, "n1", certs)));
        TestPeers c = TestPeers.start(3, Map.of(1L, addrs.get(1L), 3L, addrs.get(3L)),
            o -> o.withTls(tls(d, "n3", certs)))) {
      c.transport.send(msg(MSG_HEARTBEAT, 3, 1, 0));
      String refusal = a.awaitLog(l -> l.contains("peer TLS handshake from 127.0.0.1 refused"));
      assertTrue(refusal.contains("names IP [10.1.2.3] and DNS [], not 127.0.0.1"), refusal);
      assertTrue(a.inbox.isEmpty(), "nothing from it arrives");
    }
  }
}
