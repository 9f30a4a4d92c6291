package raft.kv.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.api.authpb.Permission;
import raft.kv.api.authpb.User;
import raft.kv.api.etcdserverpb.AuthEnableRequest;
import raft.kv.api.etcdserverpb.AuthRoleAddRequest;
import raft.kv.api.etcdserverpb.AuthRoleGrantPermissionRequest;
import raft.kv.api.etcdserverpb.AuthUserGrantRoleRequest;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.apply.KvStateMachine;
import raft.kv.auth.PermType;
import raft.kv.auth.Passwords;
import raft.kv.pb.InternalRequest;
import raft.kv.pb.InternalUserAddRequest;
import raft.kv.pb.KvState;

/**
 * etcd's auth buckets in backups, against a database real etcd 3.4.23 wrote. The fixture
 * {@code etcd-3.4.23-auth.db} is {@code etcdctl snapshot save} from a one-member etcd after:
 * user add root (password rootpw), user grant-role root root, role add app, role
 * grant-permission app --prefix readwrite /app/, role grant-permission app read /cfg, user add
 * alice (alicepw), user grant-role alice app, put /app/a 1, auth enable.
 */
class EtcdAuthLayoutTest {
  @TempDir Path dir;

  static Path fixture() throws Exception {
    return Path.of(EtcdAuthLayoutTest.class.getResource("etcd-3.4.23-auth.db").toURI());
  }

  /** The auth buckets only, as "bucket key=value" lines; with {@code noHashes}, hashes out. */
  static List<String> authListing(KvState s, boolean noHashes) throws Exception {
    List<String> lines = new ArrayList<>();
    EtcdLayout.write(s, new BucketSink() {
      String bucket;

      @Override
      public void bucket(String name) {
        bucket = name;
      }

      @Override
      public void put(byte[] key, byte[] value) throws java.io.IOException {
        if (!bucket.startsWith("auth")) {
          return;
        }
        if (noHashes && bucket.equals("authUsers")) {
          value = User.parseFrom(value).toBuilder().clearPassword().build().toByteArray();
        }
        lines.add(bucket + " " + HexFormat.of().formatHex(key) + "="
            + HexFormat.of().formatHex(value));
      }
    });
    return lines;
  }

  @Test
  void etcdsUsersRolesAndPasswordsComeIn() throws Exception {
    KvState s = EtcdBackup.read(fixture(), false);
    assertTrue(s.getAuth().getEnabled());
    assertEquals(8, s.getAuth().getRevision(), "7 changes after the new store's 1");
    KvStateMachine sm = new KvStateMachine();
    sm.restore(s.getAppliedIndex(), s.toByteString());
    sm.auth().checkAdmin("root");
    sm.auth().checkPermitted("alice", ByteString.copyFromUtf8("/app/x"), ByteString.EMPTY,
        PermType.WRITE);
    sm.auth().checkPermitted("alice", ByteString.copyFromUtf8("/cfg"), ByteString.EMPTY,
        PermType.READ);
    User alice = s.getAuth().getUsersList().stream()
        .filter(u -> u.getName().toStringUtf8().equals("alice")).findFirst().orElseThrow();
    assertTrue(Passwords.matches(alice.getPassword(), "alicepw"));
  }

  @Test
  void ourBackupOfEtcdsAuthIsEtcdsBucketsByteForByte() throws Exception {
    KvState s = EtcdBackup.read(fixture(), false);
    Path ours = dir.resolve("ours.db");
    EtcdBackup.write(s, ours);
    assertEquals(authListing(s, false), authListing(EtcdBackup.read(ours, true), false));
    assertEquals(bucketLines(fixture()), bucketLines(ours));
  }

  private static List<String> bucketLines(Path db) throws Exception {
    return EtcdLayoutTest.listing(db).stream().filter(l -> l.startsWith("auth")).toList();
  }

  /** The same commands applied here give etcd's buckets, but for the bcrypt salts. */
  @Test
  void theSameCommandsHereGiveEtcdsAuthBuckets() throws Exception {
    KvStateMachine sm = new KvStateMachine();
    List<InternalRequest.Builder> ops = List.of(userAdd("root", "rootpw"),
        InternalRequest.newBuilder().setAuthUserGrantRole(AuthUserGrantRoleRequest.newBuilder()
            .setUser("root").setRole("root")),
        InternalRequest.newBuilder().setAuthRoleAdd(AuthRoleAddRequest.newBuilder()
            .setName("app")),
        grant(Permission.Type.READWRITE, "/app/", "/app0"), grant(Permission.Type.READ, "/cfg", ""),
        userAdd("alice", "alicepw"),
        InternalRequest.newBuilder().setAuthUserGrantRole(AuthUserGrantRoleRequest.newBuilder()
            .setUser("alice").setRole("app")),
        InternalRequest.newBuilder().setPut(PutRequest.newBuilder()
            .setKey(ByteString.copyFromUtf8("/app/a")).setValue(ByteString.copyFromUtf8("1"))),
        InternalRequest.newBuilder().setAuthEnable(AuthEnableRequest.getDefaultInstance()));
    for (int i = 0; i < ops.size(); i++) {
      sm.apply(i + 1, 1, ops.get(i).setId(i + 1).build().toByteString());
    }
    KvState ours = KvState.parseFrom(sm.snapshot());
    KvState etcds = EtcdBackup.read(fixture(), false);
    assertEquals(authListing(etcds, true), authListing(ours, true));
    int before = EtcdHash.ofState(ours);
    sm.apply(ops.size() + 1, 1, userAdd("bob", "x").setId(99).setAuthHeader(
        raft.kv.pb.AuthHeader.newBuilder().setUsername("root")).build().toByteString());
    assertNotEquals(before, EtcdHash.ofState(KvState.parseFrom(sm.snapshot())),
        "Maintenance.Hash covers the auth buckets, as etcd's does");
  }

  private static InternalRequest.Builder userAdd(String name, String pw) {
    return InternalRequest.newBuilder().setAuthUserAdd(InternalUserAddRequest.newBuilder()
        .setName(name).setHashedPassword(Passwords.hash(pw)));
  }

  private static InternalRequest.Builder grant(Permission.Type t, String key, String end) {
    return InternalRequest.newBuilder().setAuthRoleGrantPermission(
        AuthRoleGrantPermissionRequest.newBuilder().setName("app").setPerm(Permission
            .newBuilder().setPermType(t).setKey(ByteString.copyFromUtf8(key))
            .setRangeEnd(ByteString.copyFromUtf8(end))));
  }
}
