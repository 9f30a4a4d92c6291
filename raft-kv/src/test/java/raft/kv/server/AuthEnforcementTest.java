package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;
import raft.kv.api.authpb.Permission;
import raft.kv.api.etcdserverpb.AuthEnableRequest;
import raft.kv.api.etcdserverpb.AuthGrpc;
import raft.kv.api.etcdserverpb.AuthRoleAddRequest;
import raft.kv.api.etcdserverpb.AuthRoleGrantPermissionRequest;
import raft.kv.api.etcdserverpb.AuthUserAddRequest;
import raft.kv.api.etcdserverpb.AuthUserGrantRoleRequest;
import raft.kv.api.etcdserverpb.AuthUserChangePasswordRequest;
import raft.kv.api.etcdserverpb.ClusterGrpc;
import raft.kv.api.etcdserverpb.LeaseGrantRequest;
import raft.kv.api.etcdserverpb.LeaseGrpc;
import raft.kv.api.etcdserverpb.LeaseTimeToLiveRequest;
import raft.kv.api.etcdserverpb.MemberAddRequest;
import raft.kv.api.etcdserverpb.MemberListRequest;
import raft.kv.api.etcdserverpb.MemberPromoteRequest;
import raft.kv.api.etcdserverpb.MemberRemoveRequest;
import raft.kv.api.etcdserverpb.MemberUpdateRequest;
import raft.kv.api.etcdserverpb.AuthUserRevokeRoleRequest;
import raft.kv.api.etcdserverpb.AuthenticateRequest;
import raft.kv.api.etcdserverpb.DefragmentRequest;
import raft.kv.api.etcdserverpb.HashKVRequest;
import raft.kv.api.etcdserverpb.HashRequest;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.MaintenanceGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.StatusRequest;
import raft.kv.api.etcdserverpb.WatchCreateRequest;
import raft.kv.api.etcdserverpb.WatchGrpc;
import raft.kv.api.etcdserverpb.WatchRequest;
import raft.kv.api.etcdserverpb.WatchResponse;

/**
 * Enforcement on a real member (in this JVM), over gRPC and the JSON gateway: the token in the
 * call's metadata names the caller; reads are checked where served, serializable or not; a
 * watch without read permission is created and canceled with etcd 3.4's reason, and one that
 * was permitted keeps its events after its user's role is revoked (etcd 3.4 does not re-check);
 * Defragment, Hash, HashKV need root (etcd's raw "auth: permission denied"), Status does not;
 * a token the member does not know is "etcdserver: invalid auth token".
 */
class AuthEnforcementTest {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;
  private InProcessCluster cluster;
  private ManagedChannel ch;

  @BeforeEach
  void rootAndApp() throws Exception {
    cluster = new InProcessCluster(1, 1, dir);
    cluster.awaitLeader();
    ch = ManagedChannelBuilder.forTarget(cluster.endpoints()).usePlaintext().build();
    AuthGrpc.AuthBlockingStub auth = deadline(AuthGrpc.newBlockingStub(ch));
    auth.userAdd(AuthUserAddRequest.newBuilder().setName("root").setPassword("rootpw").build());
    auth.userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser("root").setRole("root")
        .build());
    auth.userAdd(AuthUserAddRequest.newBuilder().setName("app").setPassword("apppw").build());
    auth.roleAdd(AuthRoleAddRequest.newBuilder().setName("app-rw").build());
    auth.roleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder().setName("app-rw")
        .setPerm(Permission.newBuilder().setPermType(Permission.Type.READWRITE)
            .setKey(b("/app/")).setRangeEnd(b("/app0"))).build());
    auth.userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser("app").setRole("app-rw")
        .build());
    kv(null).put(PutRequest.newBuilder().setKey(b("/secret/x")).setValue(b("s")).build());
    auth.authEnable(AuthEnableRequest.getDefaultInstance());
  }

  @AfterEach
  void close() {
    ch.shutdownNow();
    cluster.close();
  }

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static <T extends AbstractStub<T>> T deadline(T stub) {
    return stub.withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private String token(String user, String password) {
    return deadline(AuthGrpc.newBlockingStub(ch)).authenticate(AuthenticateRequest.newBuilder()
        .setName(user).setPassword(password).build()).getToken();
  }

  private static <T extends AbstractStub<T>> T as(String token, T stub) {
    if (token == null) {
      return deadline(stub);
    }
    Metadata md = new Metadata();
    md.put(AuthInterceptor.TOKEN, token);
    return deadline(stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md)));
  }

  private KVGrpc.KVBlockingStub kv(String token) {
    return as(token, KVGrpc.newBlockingStub(ch));
  }

  /** A watch stream as {@code token}'s user; its responses go to {@code got}. */
  private StreamObserver<WatchRequest> watchAs(String token, BlockingQueue<WatchResponse> got) {
    return as(token, WatchGrpc.newStub(ch)).withDeadlineAfter(60, TimeUnit.SECONDS)
        .watch(new StreamObserver<>() {
          @Override
          public void onNext(WatchResponse r) {
            got.add(r);
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        });
  }

  private static void refused(Status.Code code, String text, Executable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    assertEquals(code, e.getStatus().getCode());
    assertEquals(text, e.getStatus().getDescription());
  }

  @Test
  void readsAreCheckedWhereServedSerializableOrNot() {
    String app = token("app", "apppw");
    RangeRequest secret = RangeRequest.newBuilder().setKey(b("/secret/x")).build();
    refused(Status.Code.PERMISSION_DENIED, "etcdserver: permission denied",
        () -> kv(app).range(secret));
    refused(Status.Code.PERMISSION_DENIED, "etcdserver: permission denied",
        () -> kv(app).range(secret.toBuilder().setSerializable(true).build()));
    refused(Status.Code.INVALID_ARGUMENT, "etcdserver: user name is empty",
        () -> kv(null).range(secret));
    assertEquals(0, kv(app).range(RangeRequest.newBuilder().setKey(b("/app/x")).build())
        .getCount());
    assertEquals(1, kv(token("root", "rootpw")).range(secret).getCount());
  }

  @Test
  void anUnknownTokenIsInvalidWhereTheCallerMatters() {
    refused(Status.Code.UNAUTHENTICATED, "etcdserver: invalid auth token",
        () -> kv("abcdefghijklmnop.3").range(RangeRequest.newBuilder().setKey(b("/app/x"))
            .build()));
    // An index this member has not applied: it waits for a barrier, then does not know it.
    refused(Status.Code.UNAUTHENTICATED, "etcdserver: invalid auth token",
        () -> kv("abcdefghijklmnop.999999").put(PutRequest.newBuilder().setKey(b("/app/x"))
            .build()));
    refused(Status.Code.UNAUTHENTICATED, "etcdserver: invalid auth token",
        () -> kv("not-a-token").put(PutRequest.newBuilder().setKey(b("/app/x")).build()));
    // As etcd: Status does not look at the caller.
    as("abcdefghijklmnop.3", MaintenanceGrpc.newBlockingStub(ch))
        .status(StatusRequest.getDefaultInstance());
  }

  @Test
  void maintenanceThatCopiesOrRewritesTheStoreNeedsRoot() {
    MaintenanceGrpc.MaintenanceBlockingStub app =
        as(token("app", "apppw"), MaintenanceGrpc.newBlockingStub(ch));
    refused(Status.Code.UNKNOWN, "auth: permission denied",
        () -> app.hashKV(HashKVRequest.getDefaultInstance()));
    refused(Status.Code.UNKNOWN, "auth: permission denied",
        () -> app.hash(HashRequest.getDefaultInstance()));
    refused(Status.Code.UNKNOWN, "auth: permission denied",
        () -> app.defragment(DefragmentRequest.getDefaultInstance()));
    refused(Status.Code.UNKNOWN, "auth: user name is empty",
        () -> as(null, MaintenanceGrpc.newBlockingStub(ch))
            .hashKV(HashKVRequest.getDefaultInstance()));
    app.status(StatusRequest.getDefaultInstance());
    as(token("root", "rootpw"), MaintenanceGrpc.newBlockingStub(ch))
        .hashKV(HashKVRequest.getDefaultInstance());
  }

  @Test
  void aWatchNeedsReadOnItsRangeWhenCreatedOnly() throws Exception {
    String app = token("app", "apppw");
    BlockingQueue<WatchResponse> got = new LinkedBlockingQueue<>();
    StreamObserver<WatchRequest> w = watchAs(app, got);
    w.onNext(create("/secret/x", ""));
    WatchResponse refused = got.poll(30, TimeUnit.SECONDS);
    assertTrue(refused.getCreated() && refused.getCanceled(), refused::toString);
    assertEquals(-1, refused.getWatchId(), "etcd 3.4.23's answer (EtcdctlAuthTest)");
    assertEquals("rpc error: code = PermissionDenied desc = etcdserver: permission denied",
        refused.getCancelReason());
    // From /app/ to the end is more than app may read (etcd 3.4 would check /app/ alone).
    w.onNext(create("/app/", "\0"));
    assertTrue(got.poll(30, TimeUnit.SECONDS).getCanceled());
    w.onNext(create("/app/", "/app0"));
    WatchResponse created = got.poll(30, TimeUnit.SECONDS);
    assertTrue(created.getCreated(), created::toString);
    assertFalse(created.getCanceled(), created::toString);
    String root = token("root", "rootpw");
    as(root, AuthGrpc.newBlockingStub(ch)).userRevokeRole(AuthUserRevokeRoleRequest.newBuilder()
        .setName("app").setRole("app-rw").build());
    kv(root).put(PutRequest.newBuilder().setKey(b("/app/x")).setValue(b("1")).build());
    WatchResponse event = got.poll(30, TimeUnit.SECONDS);
    assertEquals("/app/x", event.getEvents(0).getKv().getKey().toStringUtf8(),
        "etcd 3.4 keeps a live watch's events after a revoke");
    // A create on the same stream after the change is checked against the current state.
    w.onNext(create("/app/y", ""));
    WatchResponse after = got.poll(30, TimeUnit.SECONDS);
    assertEquals("rpc error: code = PermissionDenied desc = etcdserver: permission denied",
        after.getCancelReason());
    w.onCompleted();
  }

  @Test
  void aWatchStreamResolvesItsTokenAgainAtEachCreate() throws Exception {
    String app = token("app", "apppw");
    BlockingQueue<WatchResponse> got = new LinkedBlockingQueue<>();
    StreamObserver<WatchRequest> w = watchAs(app, got);
    w.onNext(create("/app/a", ""));
    assertFalse(got.poll(30, TimeUnit.SECONDS).getCanceled());
    // A new password ends app's tokens: the stream's token no longer resolves.
    as(token("root", "rootpw"), AuthGrpc.newBlockingStub(ch)).userChangePassword(
        AuthUserChangePasswordRequest.newBuilder().setName("app").setPassword("new").build());
    w.onNext(create("/app/b", ""));
    WatchResponse after = got.poll(30, TimeUnit.SECONDS);
    assertTrue(after.getCanceled(), after::toString);
    assertEquals(WatchAuth.DENIED, after.getCancelReason());
    w.onCompleted();
  }

  @Test
  void memberChangesNeedRootMemberListDoesNot() {
    ClusterGrpc.ClusterBlockingStub app =
        as(token("app", "apppw"), ClusterGrpc.newBlockingStub(ch));
    refused(Status.Code.PERMISSION_DENIED, "etcdserver: permission denied",
        () -> app.memberAdd(MemberAddRequest.newBuilder().addPeerURLs("http://127.0.0.1:1")
            .build()));
    refused(Status.Code.PERMISSION_DENIED, "etcdserver: permission denied",
        () -> app.memberRemove(MemberRemoveRequest.newBuilder().setID(12345).build()));
    refused(Status.Code.PERMISSION_DENIED, "etcdserver: permission denied",
        () -> app.memberUpdate(MemberUpdateRequest.newBuilder().setID(12345).build()));
    refused(Status.Code.PERMISSION_DENIED, "etcdserver: permission denied",
        () -> app.memberPromote(MemberPromoteRequest.newBuilder().setID(12345).build()));
    refused(Status.Code.INVALID_ARGUMENT, "etcdserver: user name is empty",
        () -> as(null, ClusterGrpc.newBlockingStub(ch))
            .memberRemove(MemberRemoveRequest.newBuilder().setID(12345).build()));
    assertEquals(1, app.memberList(MemberListRequest.getDefaultInstance()).getMembersCount());
    // Root passes the check and meets the member code's own answer.
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> as(token("root", "rootpw"), ClusterGrpc.newBlockingStub(ch))
            .memberRemove(MemberRemoveRequest.newBuilder().setID(12345).build()));
    assertEquals("etcdserver: member not found", e.getStatus().getDescription());
  }

  @Test
  void leaseKeysAreListedOnlyToWhoMayReadThemAll() {
    String root = token("root", "rootpw");
    LeaseGrpc.LeaseBlockingStub rootLeases = as(root, LeaseGrpc.newBlockingStub(ch));
    long id = rootLeases.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(600).build()).getID();
    kv(root).put(PutRequest.newBuilder().setKey(b("/app/x")).setLease(id).build());
    kv(root).put(PutRequest.newBuilder().setKey(b("/secret/y")).setLease(id).build());
    LeaseGrpc.LeaseBlockingStub app = as(token("app", "apppw"), LeaseGrpc.newBlockingStub(ch));
    LeaseTimeToLiveRequest withKeys = LeaseTimeToLiveRequest.newBuilder().setID(id)
        .setKeys(true).build();
    refused(Status.Code.PERMISSION_DENIED, "etcdserver: permission denied",
        () -> app.leaseTimeToLive(withKeys));
    assertEquals(0, app.leaseTimeToLive(withKeys.toBuilder().setKeys(false).build())
        .getKeysCount());
    assertEquals(2, rootLeases.leaseTimeToLive(withKeys).getKeysCount());
  }

  @Test
  void userAddAndPasswordChangesFromNonRootAreRefusedBeforeAnyWork() {
    AuthGrpc.AuthBlockingStub app = as(token("app", "apppw"), AuthGrpc.newBlockingStub(ch));
    MaintenanceGrpc.MaintenanceBlockingStub m = as(null, MaintenanceGrpc.newBlockingStub(ch));
    long before = m.status(StatusRequest.getDefaultInstance()).getRaftIndex();
    refused(Status.Code.PERMISSION_DENIED, "etcdserver: permission denied",
        () -> app.userAdd(AuthUserAddRequest.newBuilder().setName("x").setPassword("p").build()));
    refused(Status.Code.INVALID_ARGUMENT, "etcdserver: user name is empty",
        () -> as(null, AuthGrpc.newBlockingStub(ch)).userChangePassword(
            AuthUserChangePasswordRequest.newBuilder().setName("app").setPassword("p").build()));
    // Refused on the local view: no bcrypt hash was made, so no entry was proposed either.
    assertEquals(before, m.status(StatusRequest.getDefaultInstance()).getRaftIndex());
  }

  private static WatchRequest create(String key, String end) {
    return WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
        .setKey(b(key)).setRangeEnd(b(end))).build();
  }

  @Test
  void theJsonGatewayPassesTheAuthorizationHeader() throws Exception {
    String url = "http://" + cluster.endpoints();
    HttpResponse<String> auth = post(url + "/v3/auth/authenticate",
        "{\"name\":\"app\",\"password\":\"apppw\"}", null);
    assertEquals(200, auth.statusCode(), auth.body());
    String token = auth.body().replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
    HttpResponse<String> ok = post(url + "/v3/kv/put",
        "{\"key\":\"L2FwcC94\",\"value\":\"MQ==\"}", token); // /app/x = 1
    assertEquals(200, ok.statusCode(), ok.body());
    HttpResponse<String> denied = post(url + "/v3/kv/range", "{\"key\":\"L3NlY3JldC94\"}",
        token); // /secret/x
    assertEquals(403, denied.statusCode(), denied.body());
    assertTrue(denied.body().contains("\"error\":\"etcdserver: permission denied\""),
        denied.body());
    HttpResponse<String> none = post(url + "/v3/kv/range", "{\"key\":\"L2FwcC94\"}", null);
    assertTrue(none.body().contains("etcdserver: user name is empty"), none.body());
  }

  private static HttpResponse<String> post(String url, String body, String token)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
        .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
