package raft.kv.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.api.etcdserverpb.CompactionRequest;
import raft.kv.api.etcdserverpb.DeleteRangeRequest;
import raft.kv.api.etcdserverpb.LeaseGrantRequest;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RequestOp;
import raft.kv.api.etcdserverpb.TxnRequest;
import raft.kv.api.mvccpb.KeyValue;
import raft.kv.apply.KvStateMachine;
import raft.kv.bbolt.BoltReader;
import raft.kv.pb.ChangeState;
import raft.kv.pb.InternalRequest;
import raft.kv.pb.KeyHistoryState;
import raft.kv.pb.KvState;

/**
 * Our store in etcd's layout, against a database real etcd 3.4.23 wrote for the same history.
 * The fixture {@code etcd-3.4.23.db} is {@code etcdctl snapshot save} from a one-member etcd
 * (member e1, peer :2650, client :2649) after: put a 1, put a 2, put b x, lease grant 300 (id
 * 0x7c9da2498a3d1b08), put --lease c withlease, del b, put d 1, put d 2, compact 5, put e last;
 * {@code etcdctl snapshot status} printed {@code 3053217c, 9, 14, 33 kB} for it. The fixture
 * {@code etcd-3.4.23-compacted.db}, from the same member started afresh, is a compaction where
 * ours and etcd's keep different history (see {@link #compactedHistory}).
 */
class EtcdLayoutTest {
  static final long LEASE = 0x7c9da2498a3d1b08L;
  static final Member E1 = Member.newBuilder().setID(0x2f84553cb4a07c9dL).setName("e1")
      .addPeerURLs("http://127.0.0.1:2650").addClientURLs("http://127.0.0.1:2649").build();

  @TempDir Path dir;

  static Path fixture() throws URISyntaxException {
    return Path.of(EtcdLayoutTest.class.getResource("etcd-3.4.23.db").toURI());
  }

  /** Every bucket entry as "bucket key=value" in hex, in order. */
  static final class Listing implements BucketSink {
    final List<String> lines = new ArrayList<>();
    private String bucket;

    @Override
    public void bucket(String name) {
      bucket = name;
      lines.add(name);
    }

    @Override
    public void put(byte[] key, byte[] value) {
      lines.add(bucket + " " + HexFormat.of().formatHex(key) + "="
          + HexFormat.of().formatHex(value));
    }
  }

  static List<String> listing(Path db) throws IOException {
    Listing l = new Listing();
    try (BoltReader r = BoltReader.open(db, Files.size(db) - (EtcdBackup.hasHash(db) ? 32 : 0))) {
      for (String b : r.buckets()) {
        l.bucket(b);
        r.forEach(b, l::put);
      }
    }
    return l.lines;
  }

  /** The fixture's history applied to our state machine, as its snapshot holds it. */
  static KvState ourStore() throws IOException {
    KvStateMachine sm = new KvStateMachine();
    List<InternalRequest.Builder> ops = List.of(
        put("a", "1"), put("a", "2"), put("b", "x"),
        InternalRequest.newBuilder().setLeaseGrant(LeaseGrantRequest.newBuilder().setID(LEASE)
            .setTTL(300)),
        InternalRequest.newBuilder().setPut(PutRequest.newBuilder()
            .setKey(ByteString.copyFromUtf8("c")).setValue(ByteString.copyFromUtf8("withlease"))
            .setLease(LEASE)),
        InternalRequest.newBuilder().setDeleteRange(DeleteRangeRequest.newBuilder()
            .setKey(ByteString.copyFromUtf8("b"))),
        put("d", "1"), put("d", "2"),
        InternalRequest.newBuilder().setCompaction(CompactionRequest.newBuilder().setRevision(5)),
        put("e", "last"));
    for (int i = 0; i < ops.size(); i++) {
      sm.apply(i + 1, 1, ops.get(i).setId(i + 1).build().toByteString());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    sm.writeSnapshot(out);
    return KvState.parseFrom(out.toByteArray());
  }

  private static InternalRequest.Builder put(String k, String v) {
    return InternalRequest.newBuilder().setPut(PutRequest.newBuilder()
        .setKey(ByteString.copyFromUtf8(k)).setValue(ByteString.copyFromUtf8(v)));
  }

  @Test
  void ourStoreWithTheSameHistoryHasEtcdsBucketsByteForByte() throws Exception {
    // etcd's consistent index and members are its own; give ours the same to compare the rest.
    KvState ours = ourStore().toBuilder().setAppliedIndex(14).clearMembers().addMembers(E1)
        .build();
    Listing l = new Listing();
    EtcdLayout.write(ours, l);
    assertEquals(String.join("\n", listing(fixture())), String.join("\n", l.lines));
  }

  /**
   * put a 1, put a 2, put b 1, del b (5), txn{put c 1, put d 1} (6), txn{put c 2, del d} (7),
   * put a 3, compact 7, put e 1. etcd keeps a@3, c@7, a@8, e@9: of each key's changes up to
   * the compaction only the last, and none if it is a delete (b, d). Ours also keeps c@6 and
   * d's tombstone at 7, which the layout leaves out.
   */
  static KvState compactedHistory() throws IOException {
    KvStateMachine sm = new KvStateMachine();
    List<InternalRequest.Builder> ops = List.of(put("a", "1"), put("a", "2"), put("b", "1"),
        InternalRequest.newBuilder().setDeleteRange(DeleteRangeRequest.newBuilder()
            .setKey(ByteString.copyFromUtf8("b"))),
        InternalRequest.newBuilder().setTxn(TxnRequest.newBuilder()
            .addSuccess(RequestOp.newBuilder().setRequestPut(put("c", "1").getPut()))
            .addSuccess(RequestOp.newBuilder().setRequestPut(put("d", "1").getPut()))),
        InternalRequest.newBuilder().setTxn(TxnRequest.newBuilder()
            .addSuccess(RequestOp.newBuilder().setRequestPut(put("c", "2").getPut()))
            .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest
                .newBuilder().setKey(ByteString.copyFromUtf8("d"))))),
        put("a", "3"),
        InternalRequest.newBuilder().setCompaction(CompactionRequest.newBuilder().setRevision(7)),
        put("e", "1"));
    for (int i = 0; i < ops.size(); i++) {
      sm.apply(i + 1, 1, ops.get(i).setId(i + 1).build().toByteString());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    sm.writeSnapshot(out);
    return KvState.parseFrom(out.toByteArray());
  }

  @Test
  void aCompactionKeepsWhatEtcdsKeepsByteForByte() throws Exception {
    Path etcd = fixture().resolveSibling("etcd-3.4.23-compacted.db");
    KvState ours = compactedHistory().toBuilder().setAppliedIndex(13).clearMembers()
        .addMembers(E1).build();
    assertEquals(6, ours.getKeysList().stream().mapToInt(KeyHistoryState::getChangesCount).sum(),
        "our store keeps more after the compaction than etcd: " + ours);
    Listing l = new Listing();
    EtcdLayout.write(ours, l);
    assertEquals(String.join("\n", listing(etcd)), String.join("\n", l.lines));
    assertEquals("ef7a648f, 9, 10", String.format("%x, %d, %d", EtcdBackup.status(etcd).hash()
        .hash(), EtcdBackup.status(etcd).hash().revision(), EtcdBackup.status(etcd).hash()
        .totalKeys()), "etcdctl snapshot status's line for it");
  }

  @Test
  void keptByEtcdFollowsEtcdsKeyIndexCompaction() {
    assertEquals(List.of(5L), mains(EtcdLayout.keptByEtcd(changes(2, 5), 5)));
    assertEquals(List.of(), mains(EtcdLayout.keptByEtcd(changes(2, -5), 5)));
    assertEquals(List.of(6L), mains(EtcdLayout.keptByEtcd(changes(2, -4, 6), 5)));
    assertEquals(List.of(2L, 7L), mains(EtcdLayout.keptByEtcd(changes(2, 7), 5)));
    assertEquals(List.of(2L, -7L), mains(EtcdLayout.keptByEtcd(changes(2, -7), 5)));
    assertEquals(List.of(1L, 2L), mains(EtcdLayout.keptByEtcd(changes(1, 2), 0)));
  }

  /** Changes at these revisions; a negative one is a delete's tombstone. */
  private static List<ChangeState> changes(long... revs) {
    List<ChangeState> out = new ArrayList<>();
    for (long r : revs) {
      out.add(ChangeState.newBuilder().setMain(Math.abs(r)).setKv(KeyValue.newBuilder()
          .setVersion(r < 0 ? 0 : 1)).build());
    }
    return out;
  }

  private static List<Long> mains(List<ChangeState> cs) {
    return cs.stream().map(c -> c.getKv().getVersion() == 0 ? -c.getMain() : c.getMain())
        .toList();
  }

  @Test
  void etcdsBackupReadsAsTheStoreEtcdHad() throws Exception {
    KvState s = EtcdBackup.read(fixture(), false);
    assertEquals(9, s.getRevision());
    assertEquals(5, s.getCompactRevision());
    assertEquals(14, s.getAppliedIndex());
    assertEquals(List.of("a", "b", "c", "d", "e"), s.getKeysList().stream()
        .map(h -> h.getKey().toStringUtf8()).toList());
    KeyHistoryState b = s.getKeys(1);
    assertEquals(List.of(4L, 6L), b.getChangesList().stream().map(ChangeState::getMain).toList());
    assertEquals(0, b.getChanges(1).getKv().getVersion(), "the delete's tombstone");
    assertEquals(6, b.getChanges(1).getKv().getModRevision());
    ChangeState c = s.getKeys(2).getChanges(0);
    assertEquals(LEASE, c.getKv().getLease());
    assertEquals(5, c.getKv().getCreateRevision());
    ChangeState d = s.getKeys(3).getChanges(1);
    assertEquals(List.of(7L, 8L, 2L), List.of(d.getKv().getCreateRevision(),
        d.getKv().getModRevision(), d.getKv().getVersion()));
    assertEquals(1, s.getLeasesCount());
    assertEquals(LEASE, s.getLeases(0).getId());
    assertEquals(300, s.getLeases(0).getTtl());
    // Read back, it is the same store as ours after the same history (but for what etcd's
    // compaction drops, which ours keeps: a and d's values before revision 5).
    KvState ours = ourStore();
    assertEquals(ours.getRevision(), s.getRevision());
    assertEquals(ours.getLeasesList(), s.getLeasesList());
  }

  @Test
  void statusIsWhatEtcdctlPrintsForTheSameFile() throws Exception {
    EtcdBackup.Status s = EtcdBackup.status(fixture());
    assertEquals("3053217c, 9, 14, 32768", String.format("%x, %d, %d, %d",
        s.hash().hash(), s.hash().revision(), s.hash().totalKeys(), s.totalSize()));
  }

  @Test
  void ourBackupOfTheStoreIsEtcdsFileInAllButTheFreePages() throws Exception {
    Path db = dir.resolve("ours.db");
    EtcdBackup.write(ourStore().toBuilder().setAppliedIndex(14).clearMembers().addMembers(E1)
        .build(), db);
    assertEquals(listing(fixture()), listing(db));
    assertEquals(EtcdBackup.status(fixture()).hash(), EtcdBackup.status(db).hash());
    // And it reads back as etcd's does.
    assertEquals(EtcdBackup.read(fixture(), false).getKeysList(),
        EtcdBackup.read(db, true).getKeysList());
  }

  @Test
  void maintenanceHashSkipsTheConsistentIndexOnly() throws Exception {
    KvState s = ourStore();
    int h = EtcdHash.ofState(s);
    assertEquals(h, EtcdHash.ofState(s.toBuilder().setAppliedIndex(99).build()),
        "members that hold the same data at different indexes agree (etcd's DefaultIgnores)");
    KeyHistoryState e = s.getKeys(4);
    KvState changed = s.toBuilder().setKeys(4, e.toBuilder().setChanges(0, e.getChanges(0)
        .toBuilder().setKv(e.getChanges(0).getKv().toBuilder()
            .setValue(ByteString.copyFromUtf8("other"))))).build();
    assertTrue(h != EtcdHash.ofState(changed), "a value differs, so does the hash");
  }

  @Test
  void aDamagedTrailerOrAMissingOneIsRefusedAsEtcdctlRefusesThem() throws Exception {
    byte[] good = Files.readAllBytes(fixture());
    Path bad = dir.resolve("bad.db");
    byte[] flipped = good.clone();
    flipped[good.length - 1] ^= 1;
    Files.write(bad, flipped);
    IOException e = assertThrows(IOException.class, () -> EtcdBackup.read(bad, false));
    assertTrue(e.getMessage().startsWith(bad + ": expected sha256 "), e.getMessage());
    EtcdBackup.read(bad, true); // --skip-hash-check
    Files.write(bad, java.util.Arrays.copyOf(good, good.length - 32));
    assertEquals("snapshot missing hash but --skip-hash-check=false",
        assertThrows(IOException.class, () -> EtcdBackup.read(bad, false)).getMessage());
    assertEquals(9, EtcdBackup.read(bad, true).getRevision());
  }

  /** A damaged revision key is refused with a message, not an ArithmeticException. */
  @Test
  void aRevisionOutsideOurRangeIsRefusedClearly() throws Exception {
    Path bad = dir.resolve("badrev.db");
    try (raft.kv.bbolt.BoltWriter w = raft.kv.bbolt.BoltWriter.create(bad)) {
      w.bucket("key");
      w.put(Revisions.toBytes(2, 1L << 33, false), KeyValue.newBuilder()
          .setKey(ByteString.copyFromUtf8("a")).setVersion(1).build().toByteArray());
      w.bucket("meta");
    }
    IOException e = assertThrows(IOException.class, () -> EtcdBackup.read(bad, true));
    assertTrue(e.getMessage().contains("revision {main 2, sub 8589934592}"), e.getMessage());
  }
}
