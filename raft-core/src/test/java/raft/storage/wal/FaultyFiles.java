package raft.storage.wal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;

/**
 * An in-memory {@link WalFiles} that knows, per file, what was written and what the last
 * {@link #force} made durable, and can crash between any two calls.
 *
 * <p>Model: writes and length changes go to the visible image at once and to a global queue of
 * unforced operations; {@code force(f)} applies f's queued operations to f's durable image. A
 * {@link #crash} keeps the durable images plus the first {@code keep} queued operations (in the
 * order they were made: the disk may have written them back on its own) and optionally a torn
 * prefix of the next write. Creation and deletion are durable at once (we assume the directory
 * is synced right after, which the WAL does). A force can be made to fail: then this file's
 * queued operations are lost for good, as Linux drops the dirty pages (fsyncgate).
 *
 * <p>{@link #crashAt} arms a countdown: the n-th write-side call (write, setLength, force)
 * throws {@link Crash} instead of running, simulating power loss at that point.
 */
final class FaultyFiles implements WalFiles {

  /** Thrown at the armed crash point; the WAL that saw it must be abandoned. */
  static final class Crash extends RuntimeException {
    Crash() {
      super("simulated power loss");
    }
  }

  private record Op(String file, long position, byte[] data, long length) {
    boolean isWrite() {
      return data != null;
    }
  }

  private final TreeMap<String, byte[]> visible = new TreeMap<>();
  private final TreeMap<String, byte[]> durable = new TreeMap<>();
  private final List<Op> pending = new ArrayList<>();
  private long calls;
  private long crashAt = -1;
  private boolean failNextForce;
  private int forcesUntilFailure = -1;

  /** Write-side calls (write, setLength, force) made so far: the crash points. */
  long calls() {
    return calls;
  }

  void crashAt(long call) {
    crashAt = call;
  }

  void failNextForce() {
    failNextForce = true;
  }

  /** Makes the n-th force from now (1 = the next one) fail. */
  void failForce(int n) {
    forcesUntilFailure = n;
  }

  int pendingOps() {
    return pending.size();
  }

  /** Bytes of the queued write {@code keep} (0-based), for choosing a tear; 0 if not a write. */
  int pendingWriteBytes(int keep) {
    return keep < pending.size() && pending.get(keep).isWrite() ? pending.get(keep).data.length
        : 0;
  }

  /**
   * Power loss: every file reverts to its durable image plus the first {@code keep} queued
   * operations, and the first {@code tornBytes} bytes of the next one if it is a write.
   */
  void crash(int keep, int tornBytes) {
    crashAt = -1;
    for (int i = 0; i < Math.min(keep, pending.size()); i++) {
      applyTo(durable, pending.get(i));
    }
    if (keep < pending.size() && pending.get(keep).isWrite() && tornBytes > 0) {
      Op o = pending.get(keep);
      byte[] part = Arrays.copyOf(o.data, Math.min(tornBytes, o.data.length));
      applyTo(durable, new Op(o.file, o.position, part, -1));
    }
    pending.clear();
    visible.clear();
    durable.forEach((k, v) -> visible.put(k, v.clone()));
  }

  /** Direct access to a file's visible bytes, for corruption tests. */
  byte[] bytes(String name) {
    return visible.get(name);
  }

  private void tick() {
    calls++;
    if (crashAt >= 0 && calls >= crashAt) {
      throw new Crash();
    }
  }

  private static void applyTo(TreeMap<String, byte[]> images, Op o) {
    byte[] img = images.get(o.file);
    if (img == null) {
      return; // deleted since
    }
    if (o.isWrite()) {
      long end = o.position + o.data.length;
      if (end > img.length) {
        img = Arrays.copyOf(img, (int) end);
      }
      System.arraycopy(o.data, 0, img, (int) o.position, o.data.length);
    } else {
      img = Arrays.copyOf(img, (int) o.length);
    }
    images.put(o.file, img);
  }

  private void exists(String name) throws IOException {
    if (!visible.containsKey(name)) {
      throw new IOException("no such file: " + name);
    }
  }

  @Override
  public List<String> list() {
    return new ArrayList<>(visible.keySet());
  }

  @Override
  public void create(String name) throws IOException {
    if (visible.containsKey(name)) {
      throw new IOException("exists: " + name);
    }
    visible.put(name, new byte[0]);
    durable.put(name, new byte[0]);
  }

  @Override
  public void write(String name, long position, byte[] data) throws IOException {
    exists(name);
    tick();
    Op o = new Op(name, position, data.clone(), -1);
    applyTo(visible, o);
    pending.add(o);
  }

  @Override
  public void setLength(String name, long length) throws IOException {
    exists(name);
    tick();
    Op o = new Op(name, 0, null, length);
    applyTo(visible, o);
    pending.add(o);
  }

  @Override
  public void force(String name) throws IOException {
    exists(name);
    tick();
    boolean fail = failNextForce || --forcesUntilFailure == 0;
    failNextForce = false;
    for (Iterator<Op> it = pending.iterator(); it.hasNext(); ) {
      Op o = it.next();
      if (o.file.equals(name)) {
        if (!fail) {
          applyTo(durable, o);
        }
        it.remove();
      }
    }
    if (fail) {
      throw new IOException("simulated fsync failure on " + name);
    }
  }

  @Override
  public void syncDir() {}

  @Override
  public long size(String name) throws IOException {
    exists(name);
    return visible.get(name).length;
  }

  @Override
  public byte[] readAll(String name) throws IOException {
    exists(name);
    return visible.get(name).clone();
  }

  @Override
  public void delete(String name) throws IOException {
    exists(name);
    visible.remove(name);
    durable.remove(name);
    pending.removeIf(o -> o.file.equals(name));
  }

  @Override
  public String describe(String name) {
    return "mem:" + name;
  }
}
