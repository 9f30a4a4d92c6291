package raft.kv.server;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import java.util.stream.LongStream;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.backup.EtcdBackup;
import raft.kv.backup.StateScan;
import raft.kv.pb.KvState;
import raft.pb.ConfState;
import raft.pb.Snapshot;
import raft.pb.SnapshotMetadata;
import raft.storage.durable.DataDirLock;
import raft.storage.snap.SnapshotStore;

/**
 * A backup, as {@code etcdctl snapshot save} writes it from a stream ({@link SnapshotStreamer})
 * in one of two formats, told apart by content:
 * <ul>
 * <li>etcd's (the default, and what real etcd sends): etcd 3.4's bbolt database ({@link
 *     EtcdBackup}, {@link raft.kv.backup.EtcdLayout}) then the SHA-256 of it, so etcdctl's
 *     {@code snapshot status} and {@code snapshot restore} read ours and we read etcd's;
 * <li>ours ({@code raftkv snapshot save --format raftkv}): a snapshot file (the usual format,
 *     with its CRC32C), zeros up to a multiple of 512 bytes, then the SHA-256 of everything
 *     before it. Only raftkv reads it.
 * </ul>
 */
public final class BackupFile {
  static final int SHA_BYTES = EtcdBackup.SHA_BYTES;
  private static final int BLOCK = EtcdBackup.BLOCK;

  private BackupFile() {}

  static int padding(long snapshotBytes) {
    return (int) ((BLOCK - snapshotBytes % BLOCK) % BLOCK);
  }

  static long paddedSize(long snapshotBytes) {
    return snapshotBytes + padding(snapshotBytes);
  }

  static MessageDigest sha256() {
    return EtcdBackup.sha256();
  }

  /** What a backup holds: the Raft position it was taken at and the store's state. */
  public record Contents(Snapshot snapshot, KvState state) {}

  /**
   * Reads a backup and checks it whole: its size, its SHA-256 trailer, the snapshot's CRC and
   * that the state parses. Every failure names the file and what is wrong.
   */
  public static Contents read(Path backup) throws IOException {
    return read(backup, false);
  }

  /**
   * As {@link #read(Path)}; an etcd backup without its trailer (a member's db file) is taken
   * only with {@code skipHashCheck}, as etcdctl's {@code --skip-hash-check}.
   */
  public static Contents read(Path backup, boolean skipHashCheck) throws IOException {
    if (EtcdBackup.isBolt(backup)) {
      return fromEtcd(EtcdBackup.read(backup, skipHashCheck));
    }
    long size = Files.size(backup);
    if (size % BLOCK != SHA_BYTES) {
      throw new IOException(backup + " is not a backup: it is not etcd's bbolt database, and"
          + " its size, " + size + " bytes, is not a multiple of 512 plus a 32-byte SHA-256, as"
          + " a raftkv backup's is (truncated, or not from 'etcdctl snapshot save')");
    }
    if (EtcdBackup.trailerMismatch(backup) != null) {
      throw new IOException(backup + " fails its SHA-256 check: the bytes were damaged");
    }
    Snapshot snap = SnapshotStore.readPrefix(backup);
    try {
      return new Contents(snap, KvState.parseFrom(snap.getData()));
    } catch (InvalidProtocolBufferException e) {
      throw new IOException(backup + " passes its checks but holds no key-value state ("
          + e.getMessage() + "): not a raftkv backup", e);
    }
  }

  /**
   * An etcd backup as ours: at its consistent index (at least 1), the term the new cluster's
   * restore sets anyway. etcd's backup has no Raft log position of ours; any index will do for
   * a new cluster, and etcd's own is the least surprising.
   */
  private static Contents fromEtcd(KvState state) {
    long index = Math.max(1, state.getAppliedIndex());
    KvState s = state.toBuilder().setAppliedIndex(index).build();
    return new Contents(Snapshot.newBuilder().setMetadata(SnapshotMetadata.newBuilder()
        .setIndex(index).setTerm(1)).setData(s.toByteString()).build(), s);
  }

  /**
   * Our snapshot file (from {@link raft.runtime.NodeRuntime#exportSnapshot}) as etcd's
   * database, written beside it; deletes the snapshot file. Memory: the snapshot is mapped,
   * not read ({@link SnapshotStore#mapPrefix}), and scanned ({@link StateScan}: some 30 bytes
   * of heap per revision); the database streams to disk.
   */
  static Path toEtcd(Path snapshotFile) throws IOException {
    Path db = snapshotFile.resolveSibling(snapshotFile.getFileName() + ".etcd.tmp");
    try {
      EtcdBackup.write(StateScan.of(SnapshotStore.mapPrefix(snapshotFile).getData()), db);
      return db;
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(db);
      throw e;
    } finally {
      Files.deleteIfExists(snapshotFile);
    }
  }

  /**
   * Makes {@code dataDir} the data directory of a member of a new cluster of {@code members}
   * (its --initial-cluster; ids 1, 2, ... as {@link ServerConfig} numbers them, and so its
   * membership registry) that starts from
   * the backup's state: it holds only the backup's snapshot, which the member
   * recovers from as after any restart (the empty WAL continues from it). Refuses a data
   * directory that holds anything, as etcdctl's restore does, and holds the directory's lock
   * while it writes, so that a member started on it meanwhile is refused (or refuses it).
   * The snapshot file names no owner: the member that first starts on the directory records
   * its own identity, that of the new cluster, not the backup's.
   *
   * @return what the backup holds
   */
  public static Contents restore(Path backup, Path dataDir,
      Map<String, InetSocketAddress> members) throws IOException {
    return restore(backup, dataDir, members, false);
  }

  /** As above; {@code skipHashCheck} as in {@link #read(Path, boolean)}. */
  public static Contents restore(Path backup, Path dataDir,
      Map<String, InetSocketAddress> members, boolean skipHashCheck) throws IOException {
    return restore(backup, dataDir, members, skipHashCheck, "http");
  }

  /**
   * As above, the registry's peer URLs with {@code peerScheme} ("https" for a cluster with
   * peer TLS: a member joining it later finds its https peer URL there).
   */
  public static Contents restore(Path backup, Path dataDir,
      Map<String, InetSocketAddress> members, boolean skipHashCheck, String peerScheme)
      throws IOException {
    refuseNonEmpty(dataDir);
    Contents contents = read(backup, skipHashCheck);
    try (DataDirLock lock = DataDirLock.acquire(dataDir, "raftkv snapshot restore")) {
      refuseNonEmpty(dataDir); // again, now that no member can start on it meanwhile
      restore(contents, dataDir, members, peerScheme);
    }
    return contents;
  }

  /**
   * The backup's state with the new cluster's membership, as etcdctl's snapshot restore
   * rewrites it: the --initial-cluster members with the ids a new cluster gives them, no
   * removed ids. The old cluster's members, their ids among them, are not this cluster's.
   */
  static KvState newMembership(KvState state, Map<String, InetSocketAddress> members) {
    return newMembership(state, members, "http");
  }

  static KvState newMembership(KvState state, Map<String, InetSocketAddress> members,
      String peerScheme) {
    KvState.Builder b = state.toBuilder().clearMembers().clearRemovedMembers();
    long id = 1;
    for (String name : ServerConfig.idOrder(members.keySet())) {
      InetSocketAddress peer = members.get(name);
      b.addMembers(Member.newBuilder().setID(id++).setName(name)
          .addPeerURLs(peerScheme + "://" + peer.getHostString() + ":" + peer.getPort()));
    }
    return b.build();
  }

  private static void refuseNonEmpty(Path dataDir) throws IOException {
    if (Files.isDirectory(dataDir)) {
      try (var entries = Files.list(dataDir)) {
        if (entries.anyMatch(p -> !p.getFileName().toString().equals(DataDirLock.FILE))) {
          throw new IOException("data-dir " + dataDir + " exists and is not empty: restore "
              + "only into a new directory");
        }
      }
    }
  }

  private static void restore(Contents contents, Path dataDir,
      Map<String, InetSocketAddress> members, String peerScheme) throws IOException {
    Snapshot snap = contents.snapshot();
    ConfState voters = ConfState.newBuilder()
        .addAllVoters(LongStream.rangeClosed(1, members.size()).boxed().toList()).build();
    // Term 1, whatever the old cluster's term was: the new cluster starts at term 0 and its
    // first leader writes at term 1 or later, and a log's terms must never go down (§5.4.1:
    // elections compare last terms, so an entry of an old, higher term would outrank newer
    // ones). The index stays, so the state's applied index still matches it.
    Snapshot restored = snap.toBuilder().setData(newMembership(contents.state(), members,
        peerScheme).toByteString()).setMetadata(snap.getMetadata().toBuilder()
        .setTerm(1).setConfState(voters)).build();
    SnapshotStore.open(dataDir.resolve("snap"), line -> { }).save(restored);
  }
}
