package raft.kv.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import raft.kv.api.authpb.User;
import raft.kv.api.authpb.UserAddOptions;

/** bcrypt as etcd stores it, and the bounded pool that checks it. */
class PasswordsTest {

  @Test
  void hashesAreEtcdsFormatSaltedAndVerify() {
    ByteString h = Passwords.hash("s3cret");
    String s = h.toStringUtf8();
    assertTrue(s.matches("\\$2a\\$10\\$[./A-Za-z0-9]{53}"), s);
    assertNotEquals(h, Passwords.hash("s3cret"), "a fresh salt each time");
    assertTrue(Passwords.matches(h, "s3cret"));
    assertFalse(Passwords.matches(h, "s3cret "));
    assertFalse(Passwords.matches(ByteString.EMPTY, ""));
    assertFalse(Passwords.matches(ByteString.copyFromUtf8("not a hash"), "x"));
  }

  /** A hash Go's bcrypt made (etcd 3.4.23, user root, password rootpw, in our fixture db). */
  @Test
  void aHashEtcdMadeVerifies() throws Exception {
    raft.kv.pb.KvState s = raft.kv.backup.EtcdBackup.read(java.nio.file.Path.of(
        getClass().getResource("/raft/kv/backup/etcd-3.4.23-auth.db").toURI()), false);
    User root = s.getAuth().getUsersList().stream()
        .filter(u -> u.getName().toStringUtf8().equals("root")).findFirst().orElseThrow();
    assertTrue(root.getPassword().toStringUtf8().startsWith("$2a$10$"));
    assertTrue(Passwords.matches(root.getPassword(), "rootpw"));
    assertFalse(Passwords.matches(root.getPassword(), "rootpW"));
  }

  private static AuthState withUser(String name, ByteString hash, boolean noPassword) {
    java.util.TreeMap<String, User> users = new java.util.TreeMap<>();
    users.put(name, User.newBuilder().setName(ByteString.copyFromUtf8(name)).setPassword(hash)
        .setOptions(UserAddOptions.newBuilder().setNoPassword(noPassword)).build());
    return new AuthState(true, 7, users, new java.util.TreeMap<>());
  }

  private static String refusal(CompletableFuture<?> f) {
    try {
      f.join();
      return "accepted";
    } catch (CompletionException e) {
      return e.getCause().getMessage();
    }
  }

  @Test
  void checkingAnswersAsEtcdsCheckPassword() {
    try (PasswordChecker c = new PasswordChecker(1, 4)) {
      AuthState s = withUser("alice", Passwords.hash("pw", 4), false);
      assertEquals(7L, c.check(s, "alice", "pw").join());
      assertEquals("etcdserver: authentication failed, invalid user ID or password",
          refusal(c.check(s, "alice", "bad")));
      assertEquals("etcdserver: authentication failed, invalid user ID or password",
          refusal(c.check(s, "ghost", "pw")));
      assertEquals("auth: authentication failed, password was given for no password user",
          refusal(c.check(withUser("n", ByteString.EMPTY, true), "n", "pw")));
      assertEquals("etcdserver: authentication is not enabled",
          refusal(c.check(AuthState.initial(), "alice", "pw")));
    }
  }

  /**
   * A flood of wrong passwords (each a cost-10 bcrypt, tens of milliseconds) against a pool of
   * one thread and two places: most are refused at once with etcd's "too many requests", none
   * waits without bound, and the right password still goes through after.
   */
  @Test
  void aFloodOfWrongPasswordsIsRefusedNotQueued() {
    try (PasswordChecker c = new PasswordChecker(1, 2)) {
      AuthState s = withUser("alice", Passwords.hash("pw"), false);
      List<CompletableFuture<Long>> flood = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        flood.add(c.check(s, "alice", "wrong" + i));
      }
      long tooMany = flood.stream().map(PasswordsTest::refusal)
          .filter("etcdserver: too many requests"::equals).count();
      long failed = flood.stream().map(PasswordsTest::refusal).filter(
          "etcdserver: authentication failed, invalid user ID or password"::equals).count();
      assertEquals(50, tooMany + failed, "every one answered, none accepted");
      assertTrue(tooMany >= 25, "at most a few were queued: " + failed + " checked");
      assertEquals(7L, c.check(s, "alice", "pw").join());
    }
  }
}
