package raft.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import raft.pb.SnapshotMetadata;
import raft.storage.durable.DurableStorage;

/**
 * Snapshots of the state machine, always written on the apply thread so that the state cannot
 * move while it is copied: the periodic ones that compact the log (§7), and backups.
 */
final class Snapshots {
  private final DurableStorage storage;
  private final StateMachine sm;
  private final RaftLoop loop;
  private final Applier applier;
  private final Lifecycle lifecycle;

  Snapshots(DurableStorage storage, StateMachine sm, RaftLoop loop, Applier applier,
      Lifecycle lifecycle) {
    this.storage = storage;
    this.sm = sm;
    this.loop = loop;
    this.applier = applier;
    this.lifecycle = lifecycle;
  }

  /**
   * §7, on the apply thread: streams the state machine into a snapshot file while nothing is
   * applied; the storage thread puts the file in place, and the loop compacts the memory log.
   * Both the copy of the state and the file's fsync stay away from the loop.
   */
  void take(long index, long term) throws IOException {
    SnapshotMetadata m = metadata(index, term);
    Path file = storage.writeSnapshotFile(m, sm::writeSnapshot);
    loop.writer().run(() -> {
      if (storage.installSnapshotFile(file, m)) {
        loop.submit(() -> storage.compactMemory(m));
      }
    });
  }

  /** See {@link NodeRuntime#exportSnapshot}. */
  CompletableFuture<Path> export() {
    CompletableFuture<Path> f = new CompletableFuture<>();
    if (!lifecycle.track(f)) {
      return f;
    }
    applier.enqueueAtApplied((index, term) -> {
      try {
        f.complete(storage.writeSnapshotFile(metadata(index, term), sm::writeSnapshot));
      } catch (IOException | RuntimeException e) {
        f.completeExceptionally(e);
      }
    });
    return f;
  }

  /** On the apply thread: the configuration as of {@code index}, the applied one (§7). */
  private SnapshotMetadata metadata(long index, long term) {
    return SnapshotMetadata.newBuilder().setIndex(index).setTerm(term)
        .setConfState(applier.confState()).build();
  }
}
