package raft.kv.auth;

import com.google.protobuf.ByteString;

/**
 * What a login checks a password against, at one auth revision: the user's bcrypt hash and
 * no-password flag. Opaque outside this package ({@link PasswordChecker} reads it), so the
 * hash never travels further than the check.
 */
public final class Login {
  final ByteString hash;
  final boolean noPassword;
  final long revision;

  Login(ByteString hash, boolean noPassword, long revision) {
    this.hash = hash;
    this.noPassword = noPassword;
    this.revision = revision;
  }
}
