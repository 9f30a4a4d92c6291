package raft.kv.auth;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;
import raft.kv.api.authpb.Permission;
import raft.kv.api.authpb.Role;
import raft.kv.api.authpb.User;

/**
 * One auth revision: the enabled flag, the revision, users and roles (each by name, in name
 * order), and per user the merged ranges it may read and write (etcd's rangePermCache, rebuilt
 * on every change as etcd rebuilds it). Immutable: {@link AuthStore} publishes a new one after
 * each change, and readers on any thread see one consistent revision.
 */
final class AuthState implements AuthView {
  static final String ROOT = "root";

  private final boolean enabled;
  private final long revision;
  private final SortedMap<String, User> users;
  private final SortedMap<String, Role> roles;
  private final Map<String, UserPerms> perms;

  private record UserPerms(boolean root, KeyRanges read, KeyRanges write) {}

  AuthState(boolean enabled, long revision, SortedMap<String, User> users,
      SortedMap<String, Role> roles) {
    this.enabled = enabled;
    this.revision = revision;
    this.users = Collections.unmodifiableSortedMap(new TreeMap<>(users));
    this.roles = Collections.unmodifiableSortedMap(new TreeMap<>(roles));
    this.perms = mergePerms(this.users, this.roles);
  }

  /** etcd's new store: disabled, revision 1 (NewAuthStore commits revision 1), empty. */
  static AuthState initial() {
    return new AuthState(false, 1, new TreeMap<>(), new TreeMap<>());
  }

  private static Map<String, UserPerms> mergePerms(Map<String, User> users,
      Map<String, Role> roles) {
    Map<String, UserPerms> out = new HashMap<>();
    for (User u : users.values()) {
      List<ByteString[]> read = new ArrayList<>();
      List<ByteString[]> write = new ArrayList<>();
      for (String roleName : u.getRolesList()) {
        Role role = roles.get(roleName);
        if (role == null) {
          continue; // "root" may be granted without a role of that name (etcd allows it)
        }
        for (Permission p : role.getKeyPermissionList()) {
          ByteString[] iv = {p.getKey(), KeyRanges.intervalEnd(p.getKey(), p.getRangeEnd())};
          // etcd's getMergedPerms: a type it does not know (a raw client's 5) grants nothing.
          switch (p.getPermType()) {
            case READ -> read.add(iv);
            case WRITE -> write.add(iv);
            case READWRITE -> {
              read.add(iv);
              write.add(iv);
            }
            default -> { }
          }
        }
      }
      out.put(u.getName().toStringUtf8(), new UserPerms(u.getRolesList().contains(ROOT),
          KeyRanges.of(read), KeyRanges.of(write)));
    }
    return out;
  }

  @Override
  public boolean enabled() {
    return enabled;
  }

  @Override
  public long revision() {
    return revision;
  }

  /** etcd's isOpPermitted (without the revision check: the caller compares revisions). */
  @Override
  public void checkPermitted(String user, ByteString key, ByteString rangeEnd, PermType type) {
    if (!enabled) {
      return;
    }
    // etcd 3.4: an unknown user is just denied here (the admin check names it not found).
    UserPerms p = known(user, AuthException::permissionDenied);
    if (p.root()) {
      return;
    }
    KeyRanges ranges = type == PermType.READ ? p.read() : p.write();
    if (!ranges.covers(key, rangeEnd)) {
      throw AuthException.permissionDenied();
    }
  }

  /** The user's merged permissions; an empty name is etcd's "user name is empty". */
  private UserPerms known(String user, Supplier<AuthException> unknown) {
    if (user == null || user.isEmpty()) {
      throw AuthException.userEmpty();
    }
    UserPerms p = perms.get(user);
    if (p == null) {
      throw unknown.get();
    }
    return p;
  }

  /** etcd's IsAdminPermitted. */
  @Override
  public void checkAdmin(String user) {
    if (!enabled) {
      return;
    }
    UserPerms p = known(user, AuthException::userNotFound);
    if (!p.root()) {
      throw AuthException.permissionDenied();
    }
  }

  @Override
  public boolean hasRole(String user, String role) {
    User u = user == null ? null : users.get(user);
    return u != null && u.getRolesList().contains(role);
  }

  @Override
  public Optional<List<String>> roles(String user) {
    return Optional.ofNullable(users.get(user)).map(User::getRolesList);
  }

  @Override
  public Optional<Login> login(String user) {
    return user(user).map(u -> new Login(u.getPassword(), u.getOptions().getNoPassword(),
        revision));
  }

  SortedMap<String, User> users() {
    return users;
  }

  SortedMap<String, Role> roles() {
    return roles;
  }

  Optional<User> user(String name) {
    return Optional.ofNullable(users.get(name));
  }

  /** A copy with other fields: the maps are copied, this one stays as it is. */
  AuthState with(boolean enabled, long revision, SortedMap<String, User> users,
      SortedMap<String, Role> roles) {
    return new AuthState(enabled, revision, users, roles);
  }
}
