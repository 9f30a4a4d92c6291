package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.main.CliRun;
import raft.pb.Snapshot;
import raft.storage.durable.DataDirLock;
import raft.storage.snap.SnapshotStore;

/**
 * Backups end to end: {@code raftkv snapshot save} from one of three real members (the same
 * stream etcdctl saves; etcd's database by default, ours with {@code --format raftkv}), {@code
 * status}, {@code restore} into three new data directories, and a new cluster started from them
 * that has every key and lease and takes writes. Then what a damaged backup and a used data
 * directory get: a clear refusal.
 */
class BackupTest {
  @TempDir Path dir;

  private static CliRun ok(String... args) {
    CliRun r = CliRun.run(args);
    assertEquals(0, r.exit(), () -> Arrays.toString(args) + ": " + r.err());
    return r;
  }

  @Test
  void saveStatusRestoreAndStartANewClusterFromTheBackup() throws Exception {
    Path backup = dir.resolve("backup.db");
    Path ours = dir.resolve("backup.raftkv");
    String lease;
    try (InProcessCluster old = new InProcessCluster(3, 3, dir.resolve("old"))) {
      old.awaitLeader();
      String all = old.endpoints();
      for (int i = 0; i < 20; i++) {
        ok("--endpoints", all, "put", "key-" + i, "value-" + i);
      }
      ok("--endpoints", all, "del", "key-19");
      lease = ok("--endpoints", all, "lease", "grant", "600").out().split(" ")[1];
      ok("--endpoints", all, "put", "leased", "x", "--lease", lease);
      String one = all.split(",")[2];
      assertEquals(1, CliRun.run("--endpoints", all, "snapshot", "save", backup.toString())
          .exit(), "a backup comes from one member, as in etcdctl");
      assertEquals("Snapshot saved at " + backup + "\n",
          ok("--endpoints", one, "snapshot", "save", backup.toString()).out());
      ok("--endpoints", one, "snapshot", "save", "--format", "raftkv", ours.toString());
    }
    // Both: a multiple of 512 bytes, then the SHA-256 trailer.
    assertEquals(32, Files.size(backup) % 512);
    assertEquals(32, Files.size(ours) % 512);
    assertTrue(raft.kv.backup.EtcdBackup.isBolt(backup), "etcd's bbolt database by default");
    assertFalse(raft.kv.backup.EtcdBackup.isBolt(ours));
    // revision 23: 1 + 20 puts + a delete + the leased put. etcd counts every bucket's entries:
    // 22 revisions, 1 lease, 3 members, auth, cluster version and consistent index: 29.
    String status = ok("snapshot", "status", backup.toString()).out();
    assertTrue(status.matches("[0-9a-f]+, 23, 29, [0-9.]+ k?B\n"), status);
    // Ours counts the live keys: 20.
    status = ok("snapshot", "status", ours.toString()).out();
    assertTrue(status.matches("[0-9a-f]+, 23, 20, [0-9.]+ k?B\n"), status);
    assertEquals(BackupFile.read(ours).state().getKeysList(),
        BackupFile.read(backup).state().getKeysList(), "the same history in both formats");

    Path fresh = dir.resolve("new");
    // The new cluster's peer URLs: the restore writes them into its membership, as etcdctl's.
    Map<String, InetSocketAddress> peers = InProcessCluster.peerPorts(3);
    String members = peers.entrySet().stream().map(e -> e.getKey() + "=127.0.0.1:"
        + e.getValue().getPort()).collect(java.util.stream.Collectors.joining(","));
    for (int i = 1; i <= 3; i++) {
      assertEquals("restored revision 23 into " + fresh.resolve("n" + i) + " for member n" + i
          + " of [n1, n2, n3]\n", ok("snapshot", "restore", backup.toString(), "--name",
          "n" + i, "--initial-cluster", members, "--data-dir", fresh.resolve("n" + i).toString())
          .out());
    }
    SnapshotStore restoredStore = SnapshotStore.open(fresh.resolve("n1/snap"), l -> { });
    Snapshot restored = restoredStore.loadNewest().orElseThrow();
    assertEquals(java.util.Optional.empty(), restoredStore.newestIdentity(),
        "the backup's owner is not carried over: the new member records its own at start");
    assertEquals(1, restored.getMetadata().getTerm(), "a new cluster's log starts at term 1");

    try (InProcessCluster restarted = new InProcessCluster(peers, fresh)) {
      restarted.awaitLeader();
      String all = restarted.endpoints();
      assertEquals("value-7\n", ok("--endpoints", all, "get", "key-7", "--print-value-only")
          .out());
      assertEquals("", ok("--endpoints", all, "get", "key-19").out());
      assertTrue(ok("--endpoints", all, "lease", "timetolive", lease, "--keys").out()
          .contains("attached keys([leased])"));
      ok("--endpoints", all, "put", "after", "restore");
      assertTrue(ok("--endpoints", all, "get", "after", "-w", "json").out()
          .contains("\"revision\":24"), "the revisions go on from the backup's");
    }
  }

  @Test
  void aDamagedBackupAndAUsedDirectoryAreRefusedAndEachPeerUrlKeepsItsScheme() throws Exception {
    Path backup = dir.resolve("backup.db");
    Path ours = dir.resolve("backup.raftkv");
    try (InProcessCluster c = new InProcessCluster(1, 1, dir.resolve("c"))) {
      c.awaitLeader();
      ok("--endpoints", c.endpoints(), "put", "k", "v");
      ok("--endpoints", c.endpoints(), "snapshot", "save", backup.toString());
      ok("--endpoints", c.endpoints(), "snapshot", "save", "--format", "raftkv", ours.toString());
    }
    Path damaged = dir.resolve("damaged.db");
    for (Path good : List.of(backup, ours)) {
      byte[] bytes = Files.readAllBytes(good);
      byte[] flipped = bytes.clone();
      flipped[40] ^= 1;
      Files.write(damaged, flipped);
      CliRun r = CliRun.run("snapshot", "status", damaged.toString());
      assertEquals(1, r.exit());
      assertTrue(r.errLine().startsWith(good == ours
          ? "Error: " + damaged + " fails its SHA-256 check: the bytes were damaged"
          : "Error: " + damaged + ": expected sha256 "), r.errLine());
      Files.write(damaged, Arrays.copyOf(bytes, bytes.length - 1));
      r = CliRun.run("snapshot", "restore", damaged.toString(), "--name", "n1",
          "--initial-cluster", "n1=127.0.0.1:1", "--data-dir", dir.resolve("d").toString());
      assertEquals(1, r.exit());
      assertEquals(good == ours ? "Error: " + damaged + " is not a backup: it is not etcd's bbolt"
          + " database, and its size, " + (bytes.length - 1) + " bytes, is not a multiple of 512"
          + " plus a 32-byte SHA-256, as a raftkv backup's is (truncated, or not from 'etcdctl"
          + " snapshot save')" : "Error: snapshot missing hash but --skip-hash-check=false",
          r.errLine());
    }

    Path used = dir.resolve("used");
    Files.createDirectories(used.resolve("wal"));
    CliRun r = CliRun.run("snapshot", "restore", backup.toString(), "--name", "n1",
        "--initial-cluster", "n1=127.0.0.1:1", "--data-dir", used.toString());
    assertEquals(1, r.exit());
    assertEquals("Error: data-dir " + used + " exists and is not empty: restore only into a"
        + " new directory", r.errLine());

    // An empty directory that a member has just locked (it is starting on it) is not written.
    Path held = dir.resolve("held");
    try (DataDirLock lock = DataDirLock.acquire(held, "member n9")) {
      r = CliRun.run("snapshot", "restore", backup.toString(), "--name", "n1",
          "--initial-cluster", "n1=127.0.0.1:1", "--data-dir", held.toString());
      assertEquals(1, r.exit());
      assertTrue(r.errLine().startsWith("Error: data directory " + held + " is in use by "
          + "member n9 (pid " + ProcessHandle.current().pid() + ")"), r.errLine());
      assertFalse(Files.exists(held.resolve("snap")), "the restore wrote nothing");
    }

    // Each member's peer URL keeps its own scheme, as etcdctl keeps each URL as given (the
    // Cluster service and the transport then refuse or skip the odd one, not misread it).
    Path mixed = dir.resolve("mixed");
    ok("snapshot", "restore", backup.toString(), "--name", "n1", "--initial-cluster",
        "n1=https://127.0.0.1:1,n2=http://127.0.0.1:2,n3=127.0.0.1:3", "--data-dir",
        mixed.toString());
    Snapshot snap = SnapshotStore.open(mixed.resolve("snap"), l -> { }).loadNewest()
        .orElseThrow();
    assertEquals(List.of("https://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3"),
        raft.kv.pb.KvState.parseFrom(snap.getData()).getMembersList().stream()
            .map(m -> m.getPeerURLs(0)).toList());
  }
}
