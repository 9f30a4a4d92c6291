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
import java.util.List;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.api.authpb.Permission;
import raft.kv.api.authpb.UserAddOptions;
import raft.kv.api.etcdserverpb.AuthEnableRequest;
import raft.kv.api.etcdserverpb.AuthGrpc;
import raft.kv.api.etcdserverpb.AuthRoleAddRequest;
import raft.kv.api.etcdserverpb.AuthRoleGrantPermissionRequest;
import raft.kv.api.etcdserverpb.AuthUserAddRequest;
import raft.kv.api.etcdserverpb.AuthUserGrantRoleRequest;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.client.ClientTls;
import raft.kv.client.Clients;
import raft.kv.tls.TestCerts;

/**
 * etcd's AuthInfoFromTLS: with --client-cert-auth, a call without a token is made by the user
 * its client certificate names (CN "client" here, a user without password); the JSON gateway's
 * calls are not (etcd ignores the CN of requests its gateway proxies): without a token there,
 * no user.
 */
class ClientCertAuthTest {
  @TempDir static Path dir;
  static Path certs;
  static KvServer server;
  static InetSocketAddress client;

  @BeforeAll
  static void start() throws Exception {
    certs = TestCerts.make(dir.resolve("certs"), 1);
    client = InProcessCluster.freePort();
    server = InProcessCluster.tlsMember(dir.resolve("n1"), certs, client, List.of(), line -> { });
    withChannel(ch -> {
      AuthGrpc.AuthBlockingStub auth = AuthGrpc.newBlockingStub(ch)
          .withDeadlineAfter(60, TimeUnit.SECONDS);
      auth.userAdd(AuthUserAddRequest.newBuilder().setName("root").setPassword("rootpw")
          .build());
      auth.userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser("root")
          .setRole("root").build());
      auth.userAdd(AuthUserAddRequest.newBuilder().setName("client")
          .setOptions(UserAddOptions.newBuilder().setNoPassword(true)).build());
      auth.roleAdd(AuthRoleAddRequest.newBuilder().setName("app-rw").build());
      auth.roleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder().setName("app-rw")
          .setPerm(Permission.newBuilder().setPermType(Permission.Type.READWRITE)
              .setKey(b("/app/")).setRangeEnd(b("/app0"))).build());
      auth.userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser("client")
          .setRole("app-rw").build());
      auth.authEnable(AuthEnableRequest.getDefaultInstance());
      return null;
    });
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static <T> T withChannel(java.util.function.Function<ManagedChannel, T> call) {
    ManagedChannel ch = Clients.dial("https://127.0.0.1:" + client.getPort(),
        new ClientTls(certs.resolve("ca.crt"), certs.resolve("client.crt"),
            certs.resolve("client.key"), false));
    try {
      return call.apply(ch);
    } finally {
      ch.shutdownNow();
    }
  }

  private static KVGrpc.KVBlockingStub kv(ManagedChannel ch) {
    return KVGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @Test
  void theCertificatesCommonNameIsTheUserWithoutAToken() {
    withChannel(ch -> kv(ch).put(PutRequest.newBuilder().setKey(b("/app/x")).setValue(b("1"))
        .build()));
    assertEquals(1, (long) withChannel(ch -> kv(ch).range(RangeRequest.newBuilder()
        .setKey(b("/app/x")).build()).getCount()));
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> withChannel(ch -> kv(ch).put(PutRequest.newBuilder().setKey(b("/secret/x"))
            .setValue(b("1")).build())));
    assertEquals("etcdserver: permission denied", e.getStatus().getDescription());
  }

  @Test
  void theGatewaysCallsDoNotTakeTheCommonName() throws Exception {
    HttpClient http = HttpClient.newBuilder()
        .sslContext(ClientPortTlsTest.sslContext(certs))
        .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
        + client.getPort() + "/v3/kv/range")).timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"L2FwcC94\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertTrue(r.body().contains("etcdserver: user name is empty"), r.body());
  }
}
