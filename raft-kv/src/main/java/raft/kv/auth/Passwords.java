package raft.kv.auth;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Passwords as etcd stores them: bcrypt, version "2a", cost 10 (Go's bcrypt.DefaultCost, etcd's
 * default --bcrypt-cost), a random 16-byte salt, the result "$2a$10$" + salt + hash as the
 * bytes of authpb.User.password. So a user added here authenticates in etcd from a backup, and
 * an etcd user here. Hashing happens on the member that takes the request, before proposing;
 * checking on the member that serves Authenticate (see {@link PasswordChecker}).
 */
public final class Passwords {
  public static final int COST = 10;
  /** bcrypt uses at most 72 bytes of the password; Go's (as etcd 3.4 vendors it) ignores more. */
  private static final int MAX_BYTES = 72;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Passwords() {}

  /** A new salted bcrypt hash of {@code password}: never logged, never proposed in clear. */
  public static ByteString hash(String password) {
    return hash(password, COST);
  }

  static ByteString hash(String password, int cost) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    byte[] pw = bytes(password);
    try {
      return ByteString.copyFromUtf8(OpenBSDBCrypt.generate("2a", pw, salt, cost));
    } finally {
      Arrays.fill(pw, (byte) 0);
    }
  }

  /** Whether {@code password} matches {@code hash} (any of bcrypt's $2a$, $2b$, $2y$). */
  public static boolean matches(ByteString hash, String password) {
    if (hash.isEmpty()) {
      return false;
    }
    byte[] pw = bytes(password);
    try {
      return OpenBSDBCrypt.checkPassword(hash.toStringUtf8(), pw);
    } catch (IllegalArgumentException notBcrypt) {
      return false; // a damaged or foreign hash matches nothing
    } finally {
      Arrays.fill(pw, (byte) 0);
    }
  }

  private static byte[] bytes(String password) {
    byte[] b = password.getBytes(StandardCharsets.UTF_8);
    return b.length <= MAX_BYTES ? b : Arrays.copyOf(b, MAX_BYTES);
  }
}
