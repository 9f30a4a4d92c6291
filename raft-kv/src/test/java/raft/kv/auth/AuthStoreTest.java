package raft.kv.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.kv.auth.AuthLog.authenticate;
import static raft.kv.auth.AuthLog.bytes;
import static raft.kv.auth.AuthLog.changePassword;
import static raft.kv.auth.AuthLog.disable;
import static raft.kv.auth.AuthLog.enable;
import static raft.kv.auth.AuthLog.grant;
import static raft.kv.auth.AuthLog.grantRole;
import static raft.kv.auth.AuthLog.revoke;
import static raft.kv.auth.AuthLog.revokeRole;
import static raft.kv.auth.AuthLog.roleAdd;
import static raft.kv.auth.AuthLog.roleDelete;
import static raft.kv.auth.AuthLog.roleGet;
import static raft.kv.auth.AuthLog.roleList;
import static raft.kv.auth.AuthLog.userAdd;
import static raft.kv.auth.AuthLog.userAddNoPassword;
import static raft.kv.auth.AuthLog.userDelete;
import static raft.kv.auth.AuthLog.userGet;
import static raft.kv.auth.AuthLog.userList;

import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import raft.kv.api.authpb.Permission;
import raft.kv.api.etcdserverpb.AuthRoleGetResponse;
import raft.kv.api.etcdserverpb.AuthRoleListResponse;
import raft.kv.api.etcdserverpb.AuthUserGetResponse;
import raft.kv.api.etcdserverpb.AuthUserListResponse;
import raft.kv.api.etcdserverpb.AuthenticateResponse;

/**
 * etcd 3.4's auth rules (auth/store.go, etcdserver/apply_auth.go), applied as entries through
 * the state machine: each refusal with etcd's text and gRPC code (rpctypes/error.go), the
 * revision steps, and the tokens' life.
 */
class AuthStoreTest {
  private final AuthLog log = new AuthLog();

  private static void refused(Status.Code code, String text, Executable e) {
    AuthException x = assertThrows(AuthException.class, e);
    assertEquals(text, x.getMessage());
    assertEquals(code, x.code());
  }

  @Test
  void authCannotBeEnabledWithoutARootUserWithTheRootRole() {
    refused(Status.Code.FAILED_PRECONDITION, "etcdserver: root user does not exist",
        () -> log.run(enable()));
    log.run(userAdd("root", "pw"));
    refused(Status.Code.FAILED_PRECONDITION, "etcdserver: root user does not have root role",
        () -> log.run(enable()));
    log.run(grantRole("root", "root")); // no role named root needed: etcd allows it
    log.run(enable());
    assertTrue(log.view().enabled());
  }

  @Test
  void usersAndRolesRefuseWhatEtcdRefuses() {
    log.run(userAdd("alice", "pw"));
    refused(Status.Code.FAILED_PRECONDITION, "etcdserver: user name already exists",
        () -> log.run(userAdd("alice", "other")));
    refused(Status.Code.INVALID_ARGUMENT, "etcdserver: user name is empty",
        () -> log.run(userAdd("", "pw")));
    refused(Status.Code.FAILED_PRECONDITION, "etcdserver: user name not found",
        () -> log.run(grantRole("bob", "root")));
    refused(Status.Code.FAILED_PRECONDITION, "etcdserver: role name not found",
        () -> log.run(grantRole("alice", "app")));
    refused(Status.Code.FAILED_PRECONDITION, "etcdserver: user name not found",
        () -> log.run(userDelete("bob")));
    refused(Status.Code.FAILED_PRECONDITION, "etcdserver: user name not found",
        () -> log.run(changePassword("bob", "x")));
    refused(Status.Code.FAILED_PRECONDITION, "etcdserver: user name not found",
        () -> log.run(userGet("bob")));
    log.run(roleAdd("app"));
    refused(Status.Code.FAILED_PRECONDITION, "etcdserver: role name already exists",
        () -> log.run(roleAdd("app")));
    refused(Status.Code.INVALID_ARGUMENT, "etcdserver: role name is empty",
        () -> log.run(roleAdd("")));
    refused(Status.Code.FAILED_PRECONDITION, "etcdserver: role is not granted to the user",
        () -> log.run(revokeRole("alice", "app")));
    refused(Status.Code.FAILED_PRECONDITION, "etcdserver: permission is not granted to the role",
        () -> log.run(revoke("app", "/a", "")));
    refused(Status.Code.FAILED_PRECONDITION, "etcdserver: role name not found",
        () -> log.run(grant("nope", Permission.Type.READ, "/a", "")));
    refused(Status.Code.FAILED_PRECONDITION, "etcdserver: role name not found",
        () -> log.run(roleGet("nope")));
    refused(Status.Code.FAILED_PRECONDITION, "etcdserver: role name not found",
        () -> log.run(roleDelete("nope")));
  }

  @Test
  void rootCannotLoseItsPowerWhileAuthIsEnabled() {
    log.withRootEnabled();
    log.as("root", roleAdd("root")); // etcd lets a role named root exist; it cannot go while enabled
    refused(Status.Code.INVALID_ARGUMENT, "etcdserver: invalid auth management",
        () -> log.as("root", userDelete("root")));
    refused(Status.Code.INVALID_ARGUMENT, "etcdserver: invalid auth management",
        () -> log.as("root", revokeRole("root", "root")));
    refused(Status.Code.INVALID_ARGUMENT, "etcdserver: invalid auth management",
        () -> log.as("root", roleDelete("root")));
    log.as("root", disable());
    log.run(revokeRole("root", "root")); // disabled: allowed, as etcd
    log.run(userDelete("root"));
  }

  @Test
  void onlyRootManagesOnceEnabledAsEtcdsNeedAdminPermission() {
    log.run(userAdd("alice", "pw"));
    log.run(roleAdd("app"));
    log.run(grantRole("alice", "app"));
    log.withRootEnabled();
    refused(Status.Code.INVALID_ARGUMENT, "etcdserver: user name is empty",
        () -> log.run(userList()));
    refused(Status.Code.FAILED_PRECONDITION, "etcdserver: user name not found",
        () -> log.as("ghost", roleList()));
    refused(Status.Code.PERMISSION_DENIED, "etcdserver: permission denied",
        () -> log.as("alice", userAdd("bob", "pw")));
    refused(Status.Code.PERMISSION_DENIED, "etcdserver: permission denied",
        () -> log.as("alice", disable()));
    assertEquals(List.of("alice", "root"),
        ((AuthUserListResponse) log.as("root", userList())).getUsersList());
    assertEquals(List.of("app"),
        ((AuthRoleListResponse) log.as("root", roleList())).getRolesList());
    // etcd 3.4: a user may get itself, and a role it holds; not others.
    assertEquals(List.of("app"),
        ((AuthUserGetResponse) log.as("alice", userGet("alice"))).getRolesList());
    refused(Status.Code.PERMISSION_DENIED, "etcdserver: permission denied",
        () -> log.as("alice", userGet("root")));
    log.as("alice", roleGet("app"));
    refused(Status.Code.PERMISSION_DENIED, "etcdserver: permission denied",
        () -> log.as("alice", roleGet("root")));
  }

  @Test
  void theRevisionStepsOnEveryChangeAsEtcdsCommitRevision() {
    assertEquals(1, log.view().revision(), "a new store commits revision 1");
    log.run(userAdd("root", "pw"));
    log.run(grantRole("root", "root"));
    log.run(grantRole("root", "root")); // already granted: no change
    assertEquals(3, log.view().revision());
    log.run(enable()); // etcd's AuthEnable does not commit a revision
    assertEquals(3, log.view().revision());
    assertThrows(AuthException.class, () -> log.as("root", userAdd("root", "pw")));
    assertEquals(3, log.view().revision(), "a refusal changes nothing");
    log.as("root", roleAdd("app"));
    log.as("root", grant("app", Permission.Type.READ, "/a", ""));
    log.as("root", disable());
    assertEquals(6, log.view().revision());
  }

  @Test
  void permissionsMergeAndReplaceAsEtcdsRoleGrantPermission() {
    log.run(roleAdd("app"));
    log.run(grant("app", Permission.Type.READ, "/b", ""));
    log.run(grant("app", Permission.Type.READ, "/a/", "/a0"));
    log.run(grant("app", Permission.Type.READWRITE, "/a/", "/a0")); // same range: replaced
    List<Permission> perms = ((AuthRoleGetResponse) log.run(roleGet("app"))).getPermList();
    assertEquals(List.of("/a/", "/b"), perms.stream().map(p -> p.getKey().toStringUtf8())
        .toList());
    assertEquals(Permission.Type.READWRITE, perms.get(0).getPermType());
    log.run(revoke("app", "/b", ""));
    assertEquals(1, ((AuthRoleGetResponse) log.run(roleGet("app"))).getPermCount());
  }

  @Test
  void checksFollowTheRolesOfEachUser() {
    log.run(roleAdd("app"));
    log.run(grant("app", Permission.Type.READ, "/app/", "/app0"));
    log.run(grant("app", Permission.Type.WRITE, "/app/w", ""));
    log.run(userAdd("alice", "pw"));
    log.run(grantRole("alice", "app"));
    log.withRootEnabled();
    AuthView v = log.view();
    v.checkPermitted("alice", bytes("/app/x"), bytes(""), PermType.READ);
    v.checkPermitted("alice", bytes("/app/"), bytes("/app0"), PermType.READ);
    v.checkPermitted("alice", bytes("/app/w"), bytes(""), PermType.WRITE);
    v.checkPermitted("root", bytes("/secret"), bytes("\0"), PermType.WRITE);
    refused(Status.Code.PERMISSION_DENIED, "etcdserver: permission denied",
        () -> v.checkPermitted("alice", bytes("/secret/x"), bytes(""), PermType.READ));
    refused(Status.Code.PERMISSION_DENIED, "etcdserver: permission denied",
        () -> v.checkPermitted("alice", bytes("/app/x"), bytes(""), PermType.WRITE));
    refused(Status.Code.PERMISSION_DENIED, "etcdserver: permission denied",
        () -> v.checkPermitted("alice", bytes("/app/"), bytes("\0"), PermType.READ));
    refused(Status.Code.PERMISSION_DENIED, "etcdserver: permission denied",
        () -> v.checkPermitted("ghost", bytes("/app/x"), bytes(""), PermType.READ));
    refused(Status.Code.INVALID_ARGUMENT, "etcdserver: user name is empty",
        () -> v.checkPermitted("", bytes("/app/x"), bytes(""), PermType.READ));
    // Deleting the role takes it from alice too.
    log.as("root", roleDelete("app"));
    assertEquals(List.of(), log.view().roles("alice").orElseThrow());
    assertThrows(AuthException.class, () -> log.view().checkPermitted("alice", bytes("/app/x"),
        bytes(""), PermType.READ));
    log.as("root", disable());
    log.view().checkPermitted("", bytes("/secret"), bytes(""), PermType.WRITE);
    log.view().checkAdmin("");
  }

  @Test
  void authenticateRegistersEtcdsTokenOnApplyAndItEndsAsEtcdsDo() {
    refused(Status.Code.FAILED_PRECONDITION, "etcdserver: authentication is not enabled",
        () -> log.run(authenticate("root", "abcdefghijklmnop")));
    log.run(userAdd("alice", "pw"));
    log.run(userAddNoPassword("nopw"));
    log.withRootEnabled();
    String token = ((AuthenticateResponse) log.run(authenticate("alice", "abcdefghijklmnop")))
        .getToken();
    assertEquals("abcdefghijklmnop." + log.lastIndex(), token);
    assertEquals("alice", log.tokens.user(token).orElseThrow());
    refused(Status.Code.INVALID_ARGUMENT,
        "etcdserver: authentication failed, invalid user ID or password",
        () -> log.run(authenticate("ghost", "abcdefghijklmnop")));
    refused(Status.Code.INVALID_ARGUMENT,
        "etcdserver: authentication failed, invalid user ID or password",
        () -> log.run(authenticate("nopw", "abcdefghijklmnop")));
    log.as("root", changePassword("alice", "new"));
    assertTrue(log.tokens.user(token).isEmpty(), "a new password ends the user's tokens");
    String t2 = ((AuthenticateResponse) log.run(authenticate("alice", "qwertyuiopasdfgh")))
        .getToken();
    String rootToken = ((AuthenticateResponse) log.run(authenticate("root", "zxcvbnmasdfghjkl")))
        .getToken();
    log.as("root", userDelete("alice"));
    assertTrue(log.tokens.user(t2).isEmpty(), "deleting the user ends its tokens");
    assertTrue(log.tokens.user(rootToken).isPresent(), "others' tokens stay");
    log.as("root", disable());
    assertTrue(log.tokens.user(rootToken).isEmpty(), "disabling ends every token");
  }

  @Test
  void authenticateEntriesReplayedAfterARestartGiveNoToken() {
    log.withRootEnabled();
    log.tokens.ignoreUpTo(log.lastIndex() + 1); // the log's end when the member started
    String token = ((AuthenticateResponse) log.run(authenticate("root", "abcdefghijklmnop")))
        .getToken();
    assertFalse(log.tokens.user(token).isPresent());
    String fresh = ((AuthenticateResponse) log.run(authenticate("root", "bcdefghijklmnopq")))
        .getToken();
    assertEquals("root", log.tokens.user(fresh).orElseThrow());
  }

  @Test
  void userGetNeverShowsThePasswordHash() {
    log.run(userAdd("alice", "pw"));
    AuthUserGetResponse r = (AuthUserGetResponse) log.run(userGet("alice"));
    assertFalse(r.toString().contains("$2a$"), r.toString());
  }
}
