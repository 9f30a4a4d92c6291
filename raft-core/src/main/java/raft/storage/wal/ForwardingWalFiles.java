package raft.storage.wal;

import java.io.IOException;
import java.util.List;

/**
 * {@link WalFiles} that hands every call to other files: the base of a wrapper that changes one
 * or two calls (timing fsync, injecting faults) without writing out the other eight.
 */
public abstract class ForwardingWalFiles implements WalFiles, AutoCloseable {
  protected final WalFiles files;

  protected ForwardingWalFiles(WalFiles files) {
    this.files = files;
  }

  @Override
  public void force(String name) throws IOException {
    files.force(name);
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
