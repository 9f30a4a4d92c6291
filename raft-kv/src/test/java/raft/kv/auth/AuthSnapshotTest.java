package raft.kv.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.kv.auth.AuthLog.bytes;
import static raft.kv.auth.AuthLog.grant;
import static raft.kv.auth.AuthLog.grantRole;
import static raft.kv.auth.AuthLog.roleAdd;
import static raft.kv.auth.AuthLog.userAdd;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import raft.kv.api.authpb.Permission;
import raft.kv.apply.KvStateMachine;
import raft.kv.pb.KvState;

/** The auth state is part of the applied state: in snapshots, and back from them whole. */
class AuthSnapshotTest {

  @Test
  void usersRolesPasswordsAndTheFlagSurviveASnapshot() throws Exception {
    AuthLog log = new AuthLog();
    log.run(roleAdd("app"));
    log.run(grant("app", Permission.Type.READWRITE, "/app/", "/app0"));
    log.run(userAdd("alice", "alicepw"));
    log.run(grantRole("alice", "app"));
    log.withRootEnabled();
    ByteString snap = log.sm.snapshot();

    KvStateMachine restored = new KvStateMachine();
    restored.restore(log.lastIndex(), snap);
    AuthView v = restored.auth();
    assertTrue(v.enabled());
    assertEquals(log.view().revision(), v.revision());
    v.checkPermitted("alice", bytes("/app/x"), bytes(""), PermType.WRITE);
    v.checkAdmin("root");
    assertEquals(log.sm.authStore().toSnapshot(), restored.authStore().toSnapshot());
    assertTrue(Passwords.matches(restored.authStore().toSnapshot().getUsers(0).getPassword(),
        "alicepw"), "the hash came back, and still verifies");
    // And a snapshot of the restored state is the same bytes.
    assertEquals(snap, restored.snapshot());
  }

  @Test
  void aSnapshotFromBeforeAuthRestoresAsANewStore() throws Exception {
    AuthLog log = new AuthLog().withRootEnabled();
    ByteString old = KvState.newBuilder().setRevision(1).build().toByteString();
    log.sm.restore(7, old);
    assertEquals(1, log.sm.auth().revision());
    assertTrue(!log.sm.auth().enabled());
    assertTrue(!log.sm.authStore().toSnapshot().getEnabledFlagWritten());
  }

  @Test
  void aSnapshotWithoutAUserOrWithItsNewPasswordEndsItsTokens() throws Exception {
    AuthLog log = new AuthLog();
    log.run(userAdd("alice", "pw"));
    log.run(userAdd("bob", "pw"));
    log.withRootEnabled();
    String alice = ((raft.kv.api.etcdserverpb.AuthenticateResponse) log.run(
        AuthLog.authenticate("alice", "aaaaaaaaaaaaaaaa"))).getToken();
    String bob = ((raft.kv.api.etcdserverpb.AuthenticateResponse) log.run(
        AuthLog.authenticate("bob", "bbbbbbbbbbbbbbbb"))).getToken();
    String root = ((raft.kv.api.etcdserverpb.AuthenticateResponse) log.run(
        AuthLog.authenticate("root", "cccccccccccccccc"))).getToken();
    AuthLog leader = new AuthLog();
    leader.run(userAdd("bob", "pw"));
    leader.withRootEnabled();
    leader.as("root", AuthLog.changePassword("root", "new"));
    log.sm.restore(100, leader.sm.snapshot()); // a follower that missed these entries
    assertTrue(log.tokens.user(alice).isEmpty(), "alice is gone");
    assertTrue(log.tokens.user(root).isEmpty(), "root's password changed");
    assertTrue(log.tokens.user(bob).isEmpty(),
        "bob's hash differs too (another salt): a new password as far as anyone can tell");
  }
}
