package raft.storage.wal;

import java.io.IOException;
import java.util.function.LongConsumer;

/**
 * {@link WalFiles} that reports how long each {@link #force} (fsync of a segment) took, as
 * etcd's WAL does for {@code etcd_disk_wal_fsync_duration_seconds}: the time of the sync call
 * alone, not of the writes before it. A failed force reports nothing (the member stops).
 * Everything else passes straight through.
 */
public final class TimedWalFiles extends ForwardingWalFiles {
  private final LongConsumer fsyncNanos;

  public TimedWalFiles(WalFiles files, LongConsumer fsyncNanos) {
    super(files);
    this.fsyncNanos = fsyncNanos;
  }

  @Override
  public void force(String name) throws IOException {
    long start = System.nanoTime();
    files.force(name);
    fsyncNanos.accept(System.nanoTime() - start);
  }
}
