package raft.kv.backup;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import raft.kv.api.authpb.Role;
import raft.kv.api.authpb.User;
import raft.kv.api.etcdserverpb.AlarmMember;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.api.leasepb.Lease;
import raft.kv.api.mvccpb.KeyValue;
import raft.kv.pb.AuthSnapshot;
import raft.kv.pb.ChangeState;
import raft.kv.pb.KvState;
import raft.kv.pb.LeaseState;

/**
 * Our store's state as etcd 3.4 keeps it in its bbolt database, bucket by bucket, so that a
 * backup of ours is one etcd can restore, and its hash is etcd's:
 * <ul>
 * <li>{@code alarm}: each raised alarm's marshalled {@code AlarmMember} as key, no value;
 * <li>{@code auth}: {@code authEnabled} (1 byte: 1 enabled, 0 disabled; absent until auth was
 *     first enabled, as in etcd) and {@code authRevision} (8 bytes big-endian, 1 in a new store);
 *     {@code authRoles}: each role's name with its marshalled {@code authpb.Role};
 *     {@code authUsers}: each user's name with its marshalled {@code authpb.User}, the password
 *     as its bcrypt hash (so a user's password works in etcd after a restore, and back);
 * <li>{@code cluster}: {@code clusterVersion} = "3.4.0";
 * <li>{@code key}: every revision of the history ({@link Revisions}) with its {@code
 *     mvccpb.KeyValue}; a tombstone's value is the KeyValue of its key alone, as etcd writes it;
 * <li>{@code lease}: each lease's id (8 bytes big-endian) with {@code leasepb.Lease{ID, TTL}};
 * <li>{@code members}: each member's id in hex with the JSON etcd's membership store writes;
 *     {@code members_removed}: each removed id in hex with "removed";
 * <li>{@code meta}: {@code consistent_index} (the applied index, 8 bytes big-endian), and once
 *     compacted {@code finishedCompactRev} and {@code scheduledCompactRev} as revisions.
 * </ul>
 * The history etcd keeps after a compaction at C is a little smaller than ours: of each key's
 * changes at or before C it keeps only the last, and not even that if it is a tombstone; ours
 * keeps the change at C and the one before it too ({@code KeyHistory.compact}). The layout
 * writes etcd's set ({@link #keptByEtcd}), so a compacted store has the same buckets here as
 * in etcd.
 */
public final class EtcdLayout {
  static final String CLUSTER_VERSION = "3.4.0";
  static final byte[] CONSISTENT_INDEX = ascii("consistent_index");
  static final byte[] FINISHED_COMPACT = ascii("finishedCompactRev");
  static final byte[] SCHEDULED_COMPACT = ascii("scheduledCompactRev");
  static final byte[] AUTH_ENABLED = ascii("authEnabled");
  static final byte[] AUTH_REVISION = ascii("authRevision");

  private EtcdLayout() {}

  /** Sends {@code s}'s buckets to {@code sink}, in bbolt's order. */
  public static void write(KvState s, BucketSink sink) throws IOException {
    write(StateScan.of(s), sink);
  }

  /** As above, from a scan of the state (which holds no copy of its history). */
  public static void write(StateScan scan, BucketSink sink) throws IOException {
    KvState s = scan.rest;
    sink.bucket("alarm");
    for (byte[] k : s.getAlarmsList().stream().map(AlarmMember::toByteArray)
        .sorted(Arrays::compareUnsigned).toList()) {
      sink.put(k, new byte[0]);
    }
    writeAuth(s.hasAuth() ? s.getAuth() : AuthSnapshot.getDefaultInstance(), sink);
    sink.bucket("cluster");
    sink.put(ascii("clusterVersion"), ascii(CLUSTER_VERSION));
    sink.bucket("key");
    scan.forEachChange(c -> {
      boolean tombstone = c.getKv().getVersion() == 0;
      KeyValue kv = tombstone ? KeyValue.newBuilder().setKey(c.getKv().getKey()).build()
          : c.getKv();
      sink.put(Revisions.toBytes(c.getMain(), c.getSub(), tombstone), kv.toByteArray());
    });
    sink.bucket("lease");
    for (LeaseState l : s.getLeasesList().stream().sorted(Comparator.comparing(
        LeaseState::getId, Long::compareUnsigned)).toList()) {
      sink.put(Revisions.int64(l.getId()),
          Lease.newBuilder().setID(l.getId()).setTTL(l.getTtl()).build().toByteArray());
    }
    writeMembers(s, sink);
    sink.bucket("meta");
    sink.put(CONSISTENT_INDEX, Revisions.int64(s.getAppliedIndex()));
    if (s.getCompactRevision() > 0) {
      byte[] rev = Revisions.toBytes(s.getCompactRevision(), 0, false);
      sink.put(FINISHED_COMPACT, rev);
      sink.put(SCHEDULED_COMPACT, rev);
    }
  }

  /**
   * Of one key's changes (oldest first), those etcd keeps after a compaction at {@code
   * compactRev} (mvcc/key_index.go compact): every change after it, and the last one at or
   * before it unless that is a tombstone.
   */
  static List<ChangeState> keptByEtcd(List<ChangeState> changes, long compactRev) {
    return changes.subList(keptFrom(changes, compactRev), changes.size());
  }

  /** The index of the first change {@link #keptByEtcd} keeps. */
  static int keptFrom(List<ChangeState> changes, long compactRev) {
    int firstAfter = 0;
    while (firstAfter < changes.size() && changes.get(firstAfter).getMain() <= compactRev) {
      firstAfter++;
    }
    if (firstAfter > 0 && changes.get(firstAfter - 1).getKv().getVersion() != 0) {
      return firstAfter - 1;
    }
    return firstAfter;
  }

  /** etcd's auth/store.go buckets; names sort as bbolt's keys: unsigned bytes. */
  private static void writeAuth(AuthSnapshot a, BucketSink sink) throws IOException {
    sink.bucket("auth");
    if (a.getEnabledFlagWritten() || a.getEnabled()) {
      sink.put(AUTH_ENABLED, new byte[] {(byte) (a.getEnabled() ? 1 : 0)});
    }
    sink.put(AUTH_REVISION, Revisions.int64(Math.max(1, a.getRevision())));
    sink.bucket("authRoles");
    for (Role r : a.getRolesList().stream()
        .sorted(Comparator.comparing(Role::getName, KEY_ORDER)).toList()) {
      sink.put(r.getName().toByteArray(), r.toByteArray());
    }
    sink.bucket("authUsers");
    for (User u : a.getUsersList().stream()
        .sorted(Comparator.comparing(User::getName, KEY_ORDER)).toList()) {
      sink.put(u.getName().toByteArray(), u.toByteArray());
    }
  }

  private static void writeMembers(KvState s, BucketSink sink) throws IOException {
    TreeMap<String, byte[]> members = new TreeMap<>();
    for (Member m : s.getMembersList()) {
      members.put(Long.toHexString(m.getID()), MemberJson.of(m));
    }
    sink.bucket("members");
    for (var m : members.entrySet()) {
      sink.put(ascii(m.getKey()), m.getValue());
    }
    sink.bucket("members_removed");
    for (String id : s.getRemovedMembersList().stream().map(Long::toHexString).sorted()
        .toList()) {
      sink.put(ascii(id), ascii("removed"));
    }
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** Keys sort as bbolt does: unsigned bytes. */
  static final Comparator<ByteString> KEY_ORDER = ByteString.unsignedLexicographicalComparator();
}
