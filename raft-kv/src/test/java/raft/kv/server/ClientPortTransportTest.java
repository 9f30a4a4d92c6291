package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import raft.kv.client.ClientTls;
import raft.kv.client.Clients;
import raft.kv.gateway.ClientPortNegotiator;
import raft.kv.gateway.Gateway;
import raft.kv.tls.ServerTls;
import raft.kv.tls.TestCerts;
import raft.transport.NettyIo;

/**
 * The client port as KvServer builds it (GrpcServerTuning on the ClientPortNegotiator) on each
 * Netty transport, plain and TLS: gRPC calls are served on that transport's event loops, and
 * HTTP/1.1 on the same port is still told apart and handed to the JSON gateway.
 */
@ParameterizedClass(name = "on {0}")
@ValueSource(strings = {"epoll", "nio"})
class ClientPortTransportTest {
  @TempDir static Path dir;
  static Path certs;

  @Parameter
  String transport;

  private final ManagedChannel nowhere = InProcessChannelBuilder.forName("nowhere").build();
  private ClientPortNegotiator negotiator;
  private Server server;

  /** Answers the request's bytes with the name of the thread that ran the handler. */
  private static final MethodDescriptor<byte[], byte[]> ECHO = MethodDescriptor
      .<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName("test.Echo/Echo").setRequestMarshaller(new Bytes())
      .setResponseMarshaller(new Bytes()).build();

  private static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @BeforeAll
  static void makeCerts() throws Exception {
    certs = TestCerts.make(dir.resolve("certs"), 1);
  }

  private int start(boolean tls) throws Exception {
    negotiator = new Gateway(nowhere, List.of(), null, 1 << 20).negotiator(tls
        ? new ServerTls(certs.resolve("n1.crt"), certs.resolve("n1.key"),
            certs.resolve("ca.crt"), true).serverContext() : null, line -> { });
    NettyServerBuilder b = GrpcServerTuning.apply(NettyServerBuilder.forAddress(
        new InetSocketAddress("127.0.0.1", 0), negotiator.credentials()),
        NettyIo.of(transport), line -> { });
    b.addService(ServerServiceDefinition.builder("test.Echo").addMethod(ECHO,
        ServerCalls.asyncUnaryCall((req, out) -> {
          out.onNext(Thread.currentThread().getName().getBytes(StandardCharsets.UTF_8));
          out.onCompleted();
        })).build());
    server = b.build().start();
    return server.getPort();
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (negotiator != null) {
      negotiator.close();
    }
    nowhere.shutdownNow();
  }

  private String echoThread(String endpoint, ClientTls tls) throws Exception {
    ManagedChannel ch = Clients.dial(endpoint, tls);
    try {
      return new String(ClientCalls.blockingUnaryCall(ch, ECHO,
          CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), new byte[] {1}),
          StandardCharsets.UTF_8);
    } finally {
      ch.shutdownNow();
    }
  }

  @Test
  @DisplayName("plain text: gRPC runs on the chosen transport's event loop, HTTP/1.1 reaches"
      + " the gateway")
  void plain() throws Exception {
    int port = start(false);
    String thread = echoThread("127.0.0.1:" + port, ClientTls.NONE);
    assertTrue(thread.startsWith("grpc-" + transport + "-worker"), thread);
    HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build().send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + port + "/v3/kv/range")).timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(404, r.statusCode(), r.body()); // the gateway's answer: no services here
    assertEquals(HttpClient.Version.HTTP_1_1, r.version());
  }

  @Test
  @DisplayName("TLS: gRPC with a client certificate on the chosen transport, HTTP/1.1 reaches"
      + " the gateway, plain text is refused")
  void tls() throws Exception {
    int port = start(true);
    ClientTls good = new ClientTls(certs.resolve("ca.crt"), certs.resolve("client.crt"),
        certs.resolve("client.key"), false);
    String thread = echoThread("https://127.0.0.1:" + port, good);
    assertTrue(thread.startsWith("grpc-" + transport + "-worker"), thread);
    HttpResponse<String> r = HttpClient.newBuilder()
        .sslContext(ClientPortTlsTest.sslContext(certs)).connectTimeout(Duration.ofSeconds(10))
        .build().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port
            + "/v3/kv/range")).timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(404, r.statusCode(), r.body());
    assertEquals(HttpClient.Version.HTTP_1_1, r.version(), "ALPN picks http/1.1 for it");
    assertThrows(io.grpc.StatusRuntimeException.class,
        () -> echoThread("127.0.0.1:" + port, ClientTls.NONE));
  }
}
