package raft.runtime;

import java.io.IOException;
import java.nio.file.Path;
import raft.storage.wal.ForwardingWalFiles;
import raft.storage.wal.NioWalFiles;

/** Real WAL files whose fsync (EIO) or writes (ENOSPC, a full disk) start failing on demand. */
final class FailingWalFiles extends ForwardingWalFiles {
  volatile boolean failForce;
  volatile boolean diskFull;

  FailingWalFiles(Path dir) throws IOException {
    super(new NioWalFiles(dir));
  }

  @Override
  public void force(String name) throws IOException {
    if (failForce) {
      throw new IOException("injected fsync failure (EIO) on " + name);
    }
    files.force(name);
  }

  @Override
  public void write(String name, long position, byte[] data) throws IOException {
    if (diskFull) {
      throw new IOException("No space left on device (injected ENOSPC) writing " + name);
    }
    files.write(name, position, data);
  }
}
