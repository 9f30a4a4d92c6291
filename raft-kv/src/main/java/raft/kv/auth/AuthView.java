package raft.kv.auth;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.Optional;

/** One auth revision's state: immutable, safe to read from any thread. */
public interface AuthView {
  boolean enabled();

  /** etcd's auth revision: 1 in a new store, +1 on every change (etcd's commitRevision). */
  long revision();

  /**
   * Returns normally when {@code user} may do {@code type} on [key, rangeEnd) (etcd's range
   * conventions: empty rangeEnd = the key alone, "\0" = from key to the end); root may do
   * everything; else throws AuthException with etcd's text (user name is empty, permission
   * denied: etcd 3.4's isOpPermitted answers permission denied for an unknown user too). When
   * auth is disabled always permitted.
   */
  void checkPermitted(String user, ByteString key, ByteString rangeEnd, PermType type);

  /**
   * Root role required (etcd's IsAdminPermitted: user name is empty, user name not found,
   * permission denied); disabled auth: permitted.
   */
  void checkAdmin(String user);

  /** Whether {@code user} exists and holds {@code role} (etcd's HasRole). */
  boolean hasRole(String user, String role);

  /** The user's roles (sorted), if the user exists. Never the password. */
  Optional<List<String>> roles(String user);
}
