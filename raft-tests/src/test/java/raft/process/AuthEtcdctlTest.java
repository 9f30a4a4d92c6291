package raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import raft.kv.api.etcdserverpb.AuthGrpc;
import raft.kv.api.etcdserverpb.AuthUserListRequest;
import raft.kv.api.etcdserverpb.AuthenticateRequest;

/**
 * etcd's users and roles with real etcdctl 3.4, against a 3-member cluster of ours and a real
 * etcd 3.4 beside it: the same commands, the same answers (etcdctl's own log lines left out);
 * then ours alone across a restart of every member (users and auth stay, tokens do not), and a
 * backup of ours restored into etcd, where the users' passwords still work.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuthEtcdctlTest {
  private static final int OURS_OFFSET = 320;
  private static final int ETCD_CLIENT = 2379 + 325;
  private static final int ETCD_PEER = 2380 + 325;
  private static final String ETCD = "127.0.0.1:" + ETCD_CLIENT;
  private static final String ROOT = "--user=root:rootpw";

  private static LocalCluster ours;
  private static MemberProcess etcd;
  private static Path etcdDir;

  @BeforeAll
  static void start() throws Exception {
    Preconditions.requireEtcdctl();
    ours = new LocalCluster(3, OURS_OFFSET, "auth-etcdctl").start();
    etcdDir = ours.data.resolveSibling("auth-etcdctl-etcd");
    deleteTree(etcdDir);
    etcd = MemberProcess.etcd(etcdDir, ETCD_CLIENT, ETCD_PEER);
    awaitEtcd();
  }

  @AfterAll
  static void stop() throws Exception {
    if (etcd != null) {
      etcd.close();
    }
    if (ours != null) {
      ours.close();
    }
  }

  private static LocalCluster.Result etcdctl(String endpoints, String stdin, String... args)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of("etcdctl", "--endpoints=" + endpoints,
        "--command-timeout=15s"));
    cmd.addAll(List.of(args));
    return LocalCluster.run(cmd, stdin, 30);
  }

  /** etcdctl's answer without clientv3's JSON log lines (timestamps, client ids). */
  private static String answer(LocalCluster.Result r) {
    return "exit " + r.exit() + "\n" + r.out().lines().filter(l -> !l.startsWith("{"))
        .collect(Collectors.joining("\n"));
  }

  /** Runs the command on etcd and on ours; both must answer alike. Returns the answer. */
  private static String both(String stdin, String... args) throws Exception {
    String theirs = answer(etcdctl(ETCD, stdin, args));
    String mine = answer(etcdctl(ours.endpoints(), stdin, args));
    assertEquals(theirs, mine, () -> "etcdctl " + Arrays.toString(args));
    return mine;
  }

  private static void expect(String expected, String stdin, String... args) throws Exception {
    assertEquals(expected, both(stdin, args), () -> "etcdctl " + Arrays.toString(args));
  }

  /** Both answer alike, and the answer holds {@code text}. */
  private static String says(String text, String stdin, String... args) throws Exception {
    String a = both(stdin, args);
    assertTrue(a.contains(text), () -> "etcdctl " + Arrays.toString(args) + ": " + a);
    return a;
  }

  @Test
  @Order(1)
  @DisplayName("user, role and auth commands answer as etcd's; refusals with etcd's texts")
  void sameAnswersAsEtcd() throws Exception {
    says("Error: etcdserver: root user does not exist", null, "auth", "enable");
    says("User root created", null, "user", "add", "root", "--new-user-password=rootpw",
        "--interactive=false");
    // (etcdctl's auth enable grants root the root role itself when etcd says it lacks it, so
    // "root user does not have root role" is not seen here: AuthStoreTest has it.)
    says("Role root is granted to user root", null, "user", "grant-role", "root", "root");
    says("Role app created", null, "role", "add", "app");
    says("Error: etcdserver: role name already exists", null, "role", "add", "app");
    says("Role app updated", null, "role", "grant-permission", "app", "--prefix", "readwrite",
        "/app/");
    says("Role app updated", null, "role", "grant-permission", "app", "read", "/cfg");
    says("User alice created", null, "user", "add", "alice", "--new-user-password=alicepw",
        "--interactive=false");
    says("Error: etcdserver: user name already exists", null, "user", "add", "alice",
        "--new-user-password=other", "--interactive=false");
    says("Role app is granted to user alice", null, "user", "grant-role", "alice", "app");
    says("Error: etcdserver: role name not found", null, "user", "grant-role", "alice", "nope");
    says("Error: etcdserver: user name not found", null, "user", "grant-role", "bob", "app");
    says("OK", null, "put", "/app/a", "1");
    says("Authentication Enabled", null, "auth", "enable");
    adminAndUsersOnceEnabled();
  }

  private static void adminAndUsersOnceEnabled() throws Exception {
    says("/app/a\n1", null, ROOT, "get", "/app/a");
    says("alice\nroot", null, ROOT, "user", "list"); // (carol comes later)
    says("app", null, ROOT, "role", "list");
    says("Role app\nKV Read:\n\t[/app/, /app0) (prefix /app/)\n\t/cfg\nKV Write:\n"
        + "\t[/app/, /app0) (prefix /app/)", null, ROOT, "role", "get", "app");
    says("User: alice\nRoles: app", null, ROOT, "user", "get", "alice");
    says("User: alice\nRoles: app", null, "--user=alice:alicepw", "user", "get", "alice");
    says("Role app", null, "--user=alice:alicepw", "role", "get", "app");
    says("Error: etcdserver: permission denied", null, "--user=alice:alicepw", "user", "list");
    says("Error: etcdserver: authentication failed, invalid user ID or password", null,
        "--user=root:wrong", "user", "list");
    says("Error: etcdserver: user name is empty", null, "user", "list");
    says("User carol created", null, ROOT, "user", "add", "carol", "--no-password");
    says("password was given for no password user", null, "--user=carol:x", "user", "get",
        "carol");
    says("Error: etcdserver: invalid auth management", null, ROOT, "user", "delete", "root");
    says("Error: etcdserver: invalid auth management", null, ROOT, "user", "revoke-role",
        "root", "root");
    says("Error: etcdserver: role is not granted to the user", null, ROOT, "user",
        "revoke-role", "alice", "root");
    says("Error: etcdserver: permission is not granted to the role", null, ROOT, "role",
        "revoke-permission", "app", "/nothing");
    says("Error: etcdserver: role name not found", null, ROOT, "role", "get", "nope");
    says("Password updated", "newpw\n", ROOT, "user", "passwd", "alice",
        "--interactive=false");
    says("Error: etcdserver: authentication failed, invalid user ID or password", null,
        "--user=alice:alicepw", "user", "get", "alice");
    says("User: alice", null, "--user=alice:newpw", "user", "get", "alice");
  }

  @Test
  @Order(2)
  @DisplayName("a restart of every member keeps users and auth; a token from before is refused")
  void restartKeepsUsersNotTokens() throws Exception {
    String token;
    ManagedChannel before = ManagedChannelBuilder.forTarget(ours.endpoint(1)).usePlaintext()
        .build();
    try {
      token = AuthGrpc.newBlockingStub(before).withDeadlineAfter(15, TimeUnit.SECONDS)
          .authenticate(AuthenticateRequest.newBuilder().setName("root").setPassword("rootpw")
              .build()).getToken();
      assertTrue(token.matches("[a-zA-Z]{16}\\.\\d+"), token);
      assertEquals(List.of("alice", "carol", "root"), userList(before, token));
    } finally {
      before.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    assertEquals(0, ours.cluster("stop").exit());
    LocalCluster.Result start = ours.cluster("start", "--nodes", "3");
    assertEquals(0, start.exit(), start::toString);
    String users = answer(etcdctl(ours.endpoints(), null, ROOT, "user", "list"));
    assertEquals("exit 0\nalice\ncarol\nroot", users);
    assertTrue(answer(etcdctl(ours.endpoints(), null, "user", "list"))
        .contains("Error: etcdserver: user name is empty"), "auth is still enabled");
    ManagedChannel after = ManagedChannelBuilder.forTarget(ours.endpoint(1)).usePlaintext()
        .build();
    try {
      StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(
          StatusRuntimeException.class, () -> userList(after, token));
      assertEquals(io.grpc.Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
      assertEquals("etcdserver: invalid auth token", e.getStatus().getDescription());
    } finally {
      after.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static List<String> userList(ManagedChannel ch, String token) {
    Metadata md = new Metadata();
    md.put(Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER), token);
    return AuthGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils
        .newAttachHeadersInterceptor(md)).withDeadlineAfter(15, TimeUnit.SECONDS)
        .userList(AuthUserListRequest.getDefaultInstance()).getUsersList();
  }

  @Test
  @Order(3)
  @DisplayName("a backup of ours restored into etcd keeps users, roles and passwords working")
  void ourBackupRestoresIntoEtcdWithItsUsers() throws Exception {
    Path backup = ours.data.resolve("auth-backup.db");
    Files.deleteIfExists(backup);
    LocalCluster.Result save = etcdctl(ours.endpoint(1), null, ROOT, "snapshot", "save",
        backup.toString());
    assertTrue(save.out().contains("Snapshot saved at " + backup), save::toString);
    etcd.close();
    etcd = null;
    deleteTree(etcdDir);
    Path restored = etcdDir.resolve("etcd");
    LocalCluster.Result r = LocalCluster.run(List.of("etcdctl", "snapshot", "restore",
        backup.toString(), "--data-dir", restored.toString(), "--name", "e1",
        "--initial-cluster", "e1=http://127.0.0.1:" + ETCD_PEER,
        "--initial-advertise-peer-urls", "http://127.0.0.1:" + ETCD_PEER), null, 60);
    assertEquals(0, r.exit(), r::toString);
    etcd = MemberProcess.etcd(etcdDir, ETCD_CLIENT, ETCD_PEER);
    awaitEtcd(ROOT);
    assertEquals("exit 0\nalice\ncarol\nroot",
        answer(etcdctl(ETCD, null, ROOT, "user", "list")));
    assertEquals("exit 0\n/app/a\n1", answer(etcdctl(ETCD, null, "--user=alice:newpw", "get",
        "/app/a")), "alice's new password and her role's permission, in etcd");
    assertTrue(answer(etcdctl(ETCD, null, "--user=alice:alicepw", "get", "/app/a"))
        .contains("authentication failed"));
    assertTrue(answer(etcdctl(ETCD, null, "user", "list")).contains("user name is empty"),
        "auth is enabled in etcd too");
  }

  @Test
  @Order(4)
  @DisplayName("auth disable answers as etcd's, and afterwards no user is needed")
  void disable() throws Exception {
    says("Error: etcdserver: permission denied", null, "--user=alice:newpw", "auth",
        "disable");
    says("Authentication Disabled", null, ROOT, "auth", "disable");
    says("alice\ncarol\nroot", null, "user", "list");
  }

  /** Until etcd answers (with auth on, a health check needs a user: etcd's is a read). */
  static void awaitEtcd(String... user) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    List<String> args = new ArrayList<>(List.of(user));
    args.addAll(List.of("endpoint", "health"));
    while (etcdctl(ETCD, null, args.toArray(String[]::new)).exit() != 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("etcd did not answer in 30 s; its log:\n"
            + Files.readString(etcd.log));
      }
      Thread.sleep(200);
    }
  }

  static void deleteTree(Path dir) throws java.io.IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
