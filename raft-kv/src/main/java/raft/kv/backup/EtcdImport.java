package raft.kv.backup;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import raft.kv.api.authpb.Role;
import raft.kv.api.authpb.User;
import raft.kv.api.etcdserverpb.AlarmMember;
import raft.kv.api.leasepb.Lease;
import raft.kv.api.mvccpb.KeyValue;
import raft.kv.bbolt.BoltReader;
import raft.kv.pb.AuthSnapshot;
import raft.kv.pb.ChangeState;
import raft.kv.pb.KeyHistoryState;
import raft.kv.pb.KvState;
import raft.kv.pb.LeaseState;

/**
 * The other way round from {@link EtcdLayout}: our store's state from etcd's database, as
 * etcd itself rebuilds its store from it at start (mvcc/kvstore.go restore): the history from
 * the key bucket, the current revision as the newest one there (or the compaction's, if later),
 * the compaction to finish if one was scheduled and not finished, the leases with their TTLs,
 * the alarms, the consistent index as the applied index. Members are not read: a restore makes
 * a new cluster, with the members it is given (as etcdctl's does). The auth buckets are read
 * whole: enabled flag, auth revision, users with their bcrypt hashes, roles.
 */
public final class EtcdImport {
  private EtcdImport() {}

  public static KvState read(BoltReader r, String source) throws IOException {
    List<String> buckets = r.buckets();
    if (!buckets.contains("key") || !buckets.contains("meta")) {
      throw new IOException(source + " is a bbolt database but not etcd's: it has no 'key' or "
          + "no 'meta' bucket (it has " + buckets + ")");
    }
    KvState.Builder s = KvState.newBuilder();
    Map<String, byte[]> meta = new TreeMap<>();
    r.forEach("meta", (k, v) -> meta.put(new String(k, java.nio.charset.StandardCharsets
        .ISO_8859_1), v));
    long compactRev = Math.max(compactRev(meta, "finishedCompactRev"),
        compactRev(meta, "scheduledCompactRev"));
    byte[] index = meta.get("consistent_index");
    s.setAppliedIndex(index == null ? 0 : Revisions.int64(index, "meta/consistent_index"));
    long newest = readKeys(r, s, compactRev);
    s.setCompactRevision(compactRev).setRevision(Math.max(newest, compactRev));
    if (buckets.contains("lease")) {
      List<LeaseState> leases = new ArrayList<>();
      r.forEach("lease", (k, v) -> {
        Lease l = parse(Lease.parser(), v, "a lease");
        leases.add(LeaseState.newBuilder().setId(l.getID()).setTtl(l.getTTL()).build());
      });
      leases.sort(Comparator.comparingLong(LeaseState::getId));
      s.addAllLeases(leases);
    }
    if (buckets.contains("alarm")) {
      List<AlarmMember> alarms = new ArrayList<>();
      r.forEach("alarm", (k, v) -> alarms.add(parse(AlarmMember.parser(), k, "an alarm")));
      alarms.sort(Comparator.comparingInt(AlarmMember::getAlarmValue)
          .thenComparing(AlarmMember::getMemberID, Long::compareUnsigned));
      s.addAllAlarms(alarms);
    }
    s.setAuth(readAuth(r, buckets));
    return s.build();
  }

  /** etcd's auth buckets (auth/store.go): what its store recovers at start. */
  private static AuthSnapshot readAuth(BoltReader r, List<String> buckets) throws IOException {
    AuthSnapshot.Builder a = AuthSnapshot.newBuilder().setRevision(1);
    if (buckets.contains("auth")) {
      r.forEach("auth", (k, v) -> {
        if (Arrays.equals(k, EtcdLayout.AUTH_ENABLED)) {
          a.setEnabledFlagWritten(true).setEnabled(Arrays.equals(v, new byte[] {1}));
        } else if (Arrays.equals(k, EtcdLayout.AUTH_REVISION)) {
          a.setRevision(Math.max(1, Revisions.int64(v, "auth/authRevision")));
        }
      });
    }
    if (buckets.contains("authUsers")) {
      r.forEach("authUsers", (k, v) -> a.addUsers(parse(User.parser(), v, "a user")));
    }
    if (buckets.contains("authRoles")) {
      r.forEach("authRoles", (k, v) -> a.addRoles(parse(Role.parser(), v, "a role")));
    }
    return a.build();
  }


  /** Fills in the keys' histories; returns the newest revision in the bucket (0 if none). */
  private static long readKeys(BoltReader r, KvState.Builder s, long compactRev)
      throws IOException {
    TreeMap<ByteString, List<ChangeState>> histories = new TreeMap<>(EtcdLayout.KEY_ORDER);
    long[] newest = {0};
    r.forEach("key", (k, v) -> {
      long main = Revisions.main(k);
      int sub = checkedSub(main, Revisions.sub(k));
      KeyValue kv = parse(KeyValue.parser(), v, "a key's value");
      if (Revisions.isTombstone(k)) { // etcd keeps the key alone; ours carries its revision
        kv = KeyValue.newBuilder().setKey(kv.getKey()).setModRevision(main).build();
      }
      histories.computeIfAbsent(kv.getKey(), x -> new ArrayList<>()).add(ChangeState
          .newBuilder().setMain(main).setSub(sub).setKv(kv)
          .build());
      newest[0] = Math.max(newest[0], main);
    });
    histories.forEach((key, changes) -> {
      List<ChangeState> kept = EtcdLayout.keptByEtcd(changes, compactRev);
      if (!kept.isEmpty()) {
        s.addKeys(KeyHistoryState.newBuilder().setKey(key).addAllChanges(kept));
      }
    });
    return newest[0];
  }

  /**
   * A revision our store can hold: main at least 1, sub within our int32 (etcd's is int64, but
   * one revision of 2^31 writes is damage). Refused as damage rather than an ArithmeticException
   * that names nothing.
   */
  private static int checkedSub(long main, long sub) {
    if (main < 1 || sub < 0 || sub > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("etcd's database holds revision {main " + main
          + ", sub " + sub + "}, outside main >= 1, 0 <= sub < 2^31");
    }
    return (int) sub;
  }

  private static long compactRev(Map<String, byte[]> meta, String name) {
    byte[] rev = meta.get(name);
    return rev == null ? 0 : Revisions.main(rev);
  }

  private static <T> T parse(com.google.protobuf.Parser<T> p, byte[] b, String what) {
    try {
      return p.parseFrom(b);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("etcd's database holds " + what + " that does not "
          + "parse: " + e.getMessage(), e);
    }
  }
}
