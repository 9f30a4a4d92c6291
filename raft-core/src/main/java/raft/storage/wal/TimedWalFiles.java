package raft.storage.wal;

import java.io.IOException;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * {@link WalFiles} that reports how long each {@link #force} (fsync of a segment) took, as
 * etcd's WAL does for {@code etcd_disk_wal_fsync_duration_seconds}: the time of the sync call
 * alone, not of the writes before it. A failed force reports nothing (the member stops).
 * Everything else passes straight through.
 */
public final class TimedWalFiles implements WalFiles, AutoCloseable {
  private final WalFiles files;
  private final LongConsumer fsyncNanos;

  public TimedWalFiles(WalFiles files, LongConsumer fsyncNanos) {
    this.files = files;
    this.fsyncNanos = fsyncNanos;
  }

  @Override
  public void force(String name) throws IOException {
    long start = System.nanoTime();
    files.force(name);
    fsyncNanos.accept(System.nanoTime() - start);
  }

  @Override
  public List<String> list() throws IOException {
    return files.list();
  }

  @Override
  public void create(String name) throws IOException {
    files.create(name);
  }

  @Override
  public void write(String name, long position, byte[] data) throws IOException {
    files.write(name, position, data);
  }

  @Override
  public void setLength(String name, long length) throws IOException {
    files.setLength(name, length);
  }

  @Override
  public void syncDir() throws IOException {
    files.syncDir();
  }

  @Override
  public long size(String name) throws IOException {
    return files.size(name);
  }

  @Override
  public byte[] readAll(String name) throws IOException {
    return files.readAll(name);
  }

  @Override
  public void delete(String name) throws IOException {
    files.delete(name);
  }

  @Override
  public String describe(String name) {
    return files.describe(name);
  }

  /** Closes the files underneath if they hold anything open (as the WAL's close expects). */
  @Override
  public void close() throws Exception {
    if (files instanceof AutoCloseable c) {
      c.close();
    }
  }
}
