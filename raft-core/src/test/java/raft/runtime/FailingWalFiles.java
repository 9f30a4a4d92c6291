package raft.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import raft.storage.wal.NioWalFiles;
import raft.storage.wal.WalFiles;

/** Real WAL files whose fsync (EIO) or writes (ENOSPC, a full disk) start failing on demand. */
final class FailingWalFiles implements WalFiles, AutoCloseable {
  private final NioWalFiles disk;
  volatile boolean failForce;
  volatile boolean diskFull;

  FailingWalFiles(Path dir) throws IOException {
    this.disk = new NioWalFiles(dir);
  }

  @Override
  public void force(String name) throws IOException {
    if (failForce) {
      throw new IOException("injected fsync failure (EIO) on " + name);
    }
    disk.force(name);
  }

  @Override
  public List<String> list() throws IOException {
    return disk.list();
  }

  @Override
  public void create(String name) throws IOException {
    disk.create(name);
  }

  @Override
  public void write(String name, long position, byte[] data) throws IOException {
    if (diskFull) {
      throw new IOException("No space left on device (injected ENOSPC) writing " + name);
    }
    disk.write(name, position, data);
  }

  @Override
  public void setLength(String name, long length) throws IOException {
    disk.setLength(name, length);
  }

  @Override
  public void syncDir() throws IOException {
    disk.syncDir();
  }

  @Override
  public long size(String name) throws IOException {
    return disk.size(name);
  }

  @Override
  public byte[] readAll(String name) throws IOException {
    return disk.readAll(name);
  }

  @Override
  public void delete(String name) throws IOException {
    disk.delete(name);
  }

  @Override
  public String describe(String name) {
    return disk.describe(name);
  }

  @Override
  public void close() throws IOException {
    disk.close();
  }
}
