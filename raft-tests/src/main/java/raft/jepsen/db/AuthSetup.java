package raft.jepsen.db;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import raft.jepsen.client.AuthDialer;
import raft.jepsen.client.Dialer;
import raft.kv.api.authpb.Permission;
import raft.kv.api.etcdserverpb.AuthEnableRequest;
import raft.kv.api.etcdserverpb.AuthGrpc;
import raft.kv.api.etcdserverpb.AuthRoleAddRequest;
import raft.kv.api.etcdserverpb.AuthRoleGrantPermissionRequest;
import raft.kv.api.etcdserverpb.AuthUserAddRequest;
import raft.kv.api.etcdserverpb.AuthUserGrantRoleRequest;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.RangeRequest;

/**
 * {@code --auth}: turns etcd's authentication on in a fresh cluster, as an operator would with
 * etcdctl: user {@code root} with role {@code root}, and user {@code jepsen} whose role may
 * read and write the harness's keys ({@code jepsen/} and below) and nothing else; then {@code
 * auth enable}. The clients and watchers run as {@code jepsen}, so every request of the run
 * passes the permission checks; what needs root (HashKV, the member API) runs as root.
 * Passwords are random per run and stay in memory (never printed, never on disk).
 */
final class AuthSetup {
  static final String USER = "jepsen";
  static final String PREFIX = "jepsen/";
  private static final long DEADLINE_SECONDS = 10;

  /**
   * The dialers once auth is on (the run's user and root), and what proved it on: the answers
   * to a read without a token and to the user's read outside its keys.
   */
  record Users(Dialer user, Dialer root, String proof) {}

  private AuthSetup() {}

  /** Sets up users and roles through {@code endpoint} and enables auth; blocking, bounded. */
  static Users enable(Dialer transport, String endpoint) {
    String rootPassword = password();
    String userPassword = password();
    ManagedChannel ch = transport.dial(endpoint);
    try {
      AuthGrpc.AuthBlockingStub auth = AuthGrpc.newBlockingStub(ch);
      stub(auth).roleAdd(AuthRoleAddRequest.newBuilder().setName("root").build());
      stub(auth).userAdd(AuthUserAddRequest.newBuilder().setName("root")
          .setPassword(rootPassword).build());
      stub(auth).userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser("root")
          .setRole("root").build());
      stub(auth).roleAdd(AuthRoleAddRequest.newBuilder().setName(USER).build());
      stub(auth).roleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder().setName(USER)
          .setPerm(Permission.newBuilder().setPermType(Permission.Type.READWRITE)
              .setKey(ByteString.copyFromUtf8(PREFIX))
              .setRangeEnd(prefixEnd(PREFIX))).build());
      stub(auth).userAdd(AuthUserAddRequest.newBuilder().setName(USER)
          .setPassword(userPassword).build());
      stub(auth).userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser(USER)
          .setRole(USER).build());
      stub(auth).authEnable(AuthEnableRequest.getDefaultInstance());
    } finally {
      ch.shutdownNow();
    }
    Dialer user = new AuthDialer(transport, USER, userPassword);
    return new Users(user, new AuthDialer(transport, "root", rootPassword),
        proof(transport, user, endpoint));
  }

  /**
   * Checks that auth is in force before the run counts on it: a read without a token is
   * refused, the user's read outside {@link #PREFIX} is refused, and inside it answers.
   *
   * @throws IllegalStateException if any of the three is otherwise
   */
  static String proof(Dialer transport, Dialer user, String endpoint) {
    String anonymous = refusal(transport, endpoint, "outside/k");
    String outside = refusal(user, endpoint, "outside/k");
    ManagedChannel ch = user.dial(endpoint);
    try {
      KVGrpc.newBlockingStub(ch).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
          .range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(PREFIX + "k"))
              .build());
    } finally {
      ch.shutdownNow();
    }
    return "auth enabled; a read without a token: " + anonymous + "; user " + USER
        + " outside " + PREFIX + ": " + outside;
  }

  private static String refusal(Dialer dialer, String endpoint, String key) {
    ManagedChannel ch = dialer.dial(endpoint);
    try {
      KVGrpc.newBlockingStub(ch).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
          .range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).build());
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode() + " " + e.getStatus().getDescription();
    } finally {
      ch.shutdownNow();
    }
    throw new IllegalStateException("auth is not in force: a read of " + key + " answered");
  }

  private static AuthGrpc.AuthBlockingStub stub(AuthGrpc.AuthBlockingStub s) {
    return s.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  /** etcd's prefix range end: the prefix with its last byte plus one. */
  static ByteString prefixEnd(String prefix) {
    byte[] b = prefix.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    b[b.length - 1]++;
    return ByteString.copyFrom(b);
  }

  private static String password() {
    byte[] b = new byte[16];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
