package raft.storage.durable;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import raft.pb.Entry;
import raft.pb.HardState;
import raft.pb.Snapshot;
import raft.pb.SnapshotMetadata;
import raft.log.MemoryStorage;
import raft.storage.snap.SnapshotStore;
import raft.storage.wal.Wal;

/**
 * Rebuilds the memory log from the newest snapshot file and the WAL.
 *
 * <p>A snapshot is saved as a file first and then marked in the WAL, so after a crash the file
 * may be newer than the WAL's marker; the reverse (a marker without its file) means a file was
 * lost, and recovery refuses to start.
 */
final class Recovery {
  private Recovery() {}

  static MemoryStorage restore(Wal wal, SnapshotStore snaps, Optional<Snapshot> snap,
      List<Long> peers) throws IOException {
    Wal.Recovered r = wal.recovered();
    SnapshotMetadata marker = r.snapshot();
    long snapIndex = snap.map(s -> s.getMetadata().getIndex()).orElse(0L);
    if (marker.getIndex() > snapIndex) {
      throw new IOException("the WAL in " + wal.segmentFiles() + " refers to a snapshot at "
          + "index " + marker.getIndex() + " term " + marker.getTerm() + " but "
          + snaps.dir().resolve(SnapshotStore.fileName(marker.getTerm(), marker.getIndex()))
          + " is missing (newest found: index " + snapIndex + "). The node refuses to start: "
          + "restore the file from a backup, or remove this member's data directory and add it "
          + "back empty so that the leader sends it a snapshot.");
    }
    List<Entry> entries = r.entries();
    MemoryStorage mem;
    if (snap.isPresent()) {
      mem = new MemoryStorage();
      mem.applySnapshot(DurableStorage.metadataOnly(snap.get()));
      if (snapIndex > marker.getIndex()) {
        // A crash between saving the file and writing its marker: finish the job, so that the
        // WAL's log continues from the snapshot (§7: keep the entries after it only if the
        // log holds the snapshot's last entry).
        entries = entriesAfter(entries, snap.get().getMetadata());
        wal.saveSnapshotMarker(snap.get().getMetadata());
      }
    } else {
      mem = MemoryStorage.bootstrap(peers);
    }
    mem.append(entries);
    mem.setHardState(clampCommit(r.hardState(), snapIndex, mem.lastIndex()));
    return mem;
  }

  /** §7: the entries after the snapshot if the log matches it there, otherwise none. */
  private static List<Entry> entriesAfter(List<Entry> entries, SnapshotMetadata m) {
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      if (e.getIndex() == m.getIndex()) {
        return e.getTerm() == m.getTerm() ? entries.subList(i + 1, entries.size()) : List.of();
      }
    }
    return List.of();
  }

  /**
   * A snapshot holds only committed entries, so the commit index is at least its index; the
   * commit index need not be synced, so it may lag. It can never exceed the log.
   */
  private static HardState clampCommit(HardState hs, long snapIndex, long lastIndex) {
    long commit = Math.max(snapIndex, Math.min(hs.getCommit(), lastIndex));
    if (commit == hs.getCommit() || (snapIndex == 0 && hs.equals(HardState.getDefaultInstance()))) {
      return hs;
    }
    return hs.toBuilder().setCommit(commit).build();
  }
}
