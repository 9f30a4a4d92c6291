package raft.storage.wal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads from another {@link WalFiles} but keeps every change in memory: lets {@link WalDump}
 * run the real recovery (including its torn-tail repair) without touching the disk.
 */
final class OverlayFiles implements WalFiles {

  private final WalFiles base;
  private final Map<String, byte[]> changed = new HashMap<>();
  private final Set<String> deleted = new HashSet<>();

  OverlayFiles(WalFiles base) {
    this.base = base;
  }

  @Override
  public List<String> list() throws IOException {
    Set<String> names = new HashSet<>(base.list());
    names.removeAll(deleted);
    names.addAll(changed.keySet());
    return new ArrayList<>(names);
  }

  @Override
  public void create(String name) throws IOException {
    if (list().contains(name)) {
      throw new IOException("exists: " + name);
    }
    deleted.remove(name);
    changed.put(name, new byte[0]);
  }

  private byte[] copy(String name) throws IOException {
    byte[] b = changed.get(name);
    return b != null ? b : base.readAll(name);
  }

  @Override
  public void write(String name, long position, byte[] data) throws IOException {
    byte[] b = copy(name);
    if (position + data.length > b.length) {
      b = Arrays.copyOf(b, (int) (position + data.length));
    }
    System.arraycopy(data, 0, b, (int) position, data.length);
    changed.put(name, b);
  }

  @Override
  public void setLength(String name, long length) throws IOException {
    changed.put(name, Arrays.copyOf(copy(name), (int) length));
  }

  @Override
  public void force(String name) {}

  @Override
  public void syncDir() {}

  @Override
  public long size(String name) throws IOException {
    return changed.containsKey(name) ? changed.get(name).length : base.size(name);
  }

  @Override
  public byte[] readAll(String name) throws IOException {
    return copy(name).clone();
  }

  @Override
  public void delete(String name) {
    changed.remove(name);
    deleted.add(name);
  }

  @Override
  public String describe(String name) {
    return base.describe(name);
  }
}
