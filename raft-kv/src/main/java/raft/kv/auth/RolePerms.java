package raft.kv.auth;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import raft.kv.api.authpb.Permission;
import raft.kv.api.authpb.Role;

/** etcd's RoleGrantPermission on a role's key permissions, kept sorted by key. */
final class RolePerms {
  private RolePerms() {}

  /**
   * As etcd: the first permission whose key is at or after the new one's (binary search by
   * key); if it has the same key and range end its type is replaced, else the new permission
   * is added and the list sorted by key again (stable: equal keys keep their order).
   */
  static Role grant(Role role, Permission perm) {
    List<Permission> perms = new ArrayList<>(role.getKeyPermissionList());
    int idx = firstAtOrAfter(perms, perm.getKey());
    if (idx < perms.size() && perms.get(idx).getKey().equals(perm.getKey())
        && perms.get(idx).getRangeEnd().equals(perm.getRangeEnd())) {
      perms.set(idx, perms.get(idx).toBuilder().setPermType(perm.getPermType()).build());
    } else {
      perms.add(Permission.newBuilder().setKey(perm.getKey()).setRangeEnd(perm.getRangeEnd())
          .setPermType(perm.getPermType()).build());
      perms.sort((a, b) -> ByteString.unsignedLexicographicalComparator()
          .compare(a.getKey(), b.getKey()));
    }
    return role.toBuilder().clearKeyPermission().addAllKeyPermission(perms).build();
  }

  private static int firstAtOrAfter(List<Permission> perms, ByteString key) {
    int lo = 0;
    int hi = perms.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (ByteString.unsignedLexicographicalComparator()
          .compare(perms.get(mid).getKey(), key) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
