package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.client.ClientTls;
import raft.kv.client.Clients;
import raft.kv.tls.TestCerts;
import raft.transport.CaTrust;
import raft.transport.PemFiles;

/**
 * One member with TLS on its client port (client certificates required) and on its peer port:
 * gRPC and the JSON gateway (and /health) both answer over TLS on the one port; clients without
 * an acceptable certificate and plain-text clients are refused before anything is served.
 */
class ClientPortTlsTest {
  @TempDir static Path dir;
  static Path certs;
  static Path other;
  static KvServer server;
  static InetSocketAddress client;
  static InetSocketAddress metrics;
  static final java.util.Queue<String> logs = new java.util.concurrent.ConcurrentLinkedQueue<>();

  @BeforeAll
  static void start() throws Exception {
    certs = TestCerts.make(dir.resolve("certs"), 1);
    other = TestCerts.make(dir.resolve("other"), 1);
    client = InProcessCluster.freePort();
    metrics = InProcessCluster.freePort();
    server = InProcessCluster.tlsMember(dir.resolve("n1"), certs, client, List.of(metrics),
        logs::add);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static String https() {
    return "https://127.0.0.1:" + client.getPort();
  }

  private static ClientTls good() {
    return new ClientTls(certs.resolve("ca.crt"), certs.resolve("client.crt"),
        certs.resolve("client.key"), false);
  }

  private static <T> T withChannel(String endpoint, ClientTls tls,
      java.util.function.Function<KVGrpc.KVBlockingStub, T> call) throws Exception {
    ManagedChannel ch = Clients.dial(endpoint, tls);
    try {
      return call.apply(KVGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS));
    } finally {
      ch.shutdownNow();
    }
  }

  @Test
  void grpcOverTlsWithAClientCertificate() throws Exception {
    withChannel(https(), good(), kv -> kv.put(PutRequest.newBuilder()
        .setKey(ByteString.copyFromUtf8("tls")).setValue(ByteString.copyFromUtf8("on")).build()));
    long count = withChannel(https(), good(), kv -> kv.range(RangeRequest.newBuilder()
        .setKey(ByteString.copyFromUtf8("tls")).build()).getCount());
    assertEquals(1, count);
  }

  @Test
  void jsonGatewayAndHealthOverTlsOnTheSamePortWithHttp11() throws Exception {
    HttpClient http = HttpClient.newBuilder().sslContext(sslContext(certs))
        .connectTimeout(Duration.ofSeconds(10)).build(); // offers h2 and http/1.1 (ALPN)
    HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(https()
        + "/health")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode(), health.body());
    assertEquals(HttpClient.Version.HTTP_1_1, health.version(), "ALPN picks http/1.1 for it");
    HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(https()
        + "/v3/kv/put")).timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers
        .ofString("{\"key\":\"anNvbg==\",\"value\":\"MQ==\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, put.statusCode(), put.body());
    assertTrue(put.body().contains("\"revision\""), put.body());
    // The metrics port stays plain HTTP.
    HttpResponse<String> plainMetrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + metrics.getPort() + "/health"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, plainMetrics.statusCode());
  }

  @Test
  void clientsWithoutAnAcceptableCertificateAndPlainTextAreRefused() throws Exception {
    List<ClientTls> refused = List.of(
        new ClientTls(certs.resolve("ca.crt"), null, null, false),
        new ClientTls(certs.resolve("ca.crt"), other.resolve("client.crt"),
            other.resolve("client.key"), false));
    for (ClientTls tls : refused) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> withChannel(https(), tls, kv -> kv.put(PutRequest.newBuilder()
              .setKey(ByteString.copyFromUtf8("refused")).build())));
      assertEquals(io.grpc.Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
    }
    StatusRuntimeException plain = assertThrows(StatusRuntimeException.class,
        () -> withChannel("127.0.0.1:" + client.getPort(), ClientTls.NONE,
            kv -> kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("refused"))
                .build())));
    assertEquals(io.grpc.Status.Code.UNAVAILABLE, plain.getStatus().getCode());
    // The member's own certificate is not trusted by a client with the other CA either.
    StatusRuntimeException wrongCa = assertThrows(StatusRuntimeException.class,
        () -> withChannel(https(), new ClientTls(other.resolve("ca.crt"),
            certs.resolve("client.crt"), certs.resolve("client.key"), false),
            kv -> kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("x"))
                .build())));
    assertEquals(io.grpc.Status.Code.UNAVAILABLE, wrongCa.getStatus().getCode());
    // The member says why, as etcd's "rejected connection from ..." lines.
    List<String> rejected = logs.stream().filter(l -> l.startsWith("rejected connection from"))
        .toList();
    assertTrue(rejected.stream().anyMatch(l -> l.contains("certificate CN=client (issued by"
        + " CN=raftkv throwaway CA") && l.contains("is not trusted by --trusted-ca-file")),
        "" + rejected);
    assertTrue(rejected.stream().anyMatch(l -> l.contains("not TLS (plain text on the TLS"
        + " client port")), "" + rejected);
    long written = withChannel(https(), good(), kv -> kv.range(RangeRequest.newBuilder()
        .setKey(ByteString.copyFromUtf8("refused")).build()).getCount());
    assertEquals(0, written, "nothing written by a refused client");
    // Served: any answer at all (the test methods run in no fixed order, so no key is assumed).
    assertTrue(withChannel(https(), new ClientTls(null, certs.resolve("client.crt"),
        certs.resolve("client.key"), true), kv -> kv.range(RangeRequest.newBuilder()
        .setKey(ByteString.copyFromUtf8("tls")).build()).getHeader().getRevision()) > 0,
        "--insecure-skip-tls-verify with a client certificate is served");
  }

  /** A JDK SSLContext with the client certificate and the CA, as curl --cacert --cert --key. */
  static SSLContext sslContext(Path certs) throws Exception {
    PemFiles.KeyPair pair = PemFiles.keyPair(certs.resolve("client.crt"), "cert",
        certs.resolve("client.key"), "key");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("client", pair.key(), new char[0],
        pair.chain().toArray(new X509Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), new TrustManager[] {CaTrust.of(certs.resolve("ca.crt"),
        "ca")}, null);
    return ctx;
  }
}
