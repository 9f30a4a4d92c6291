package raft.storage.durable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An exclusive lock on a data directory, held for the life of the process that owns it: two
 * processes writing one WAL interleave their records and lose acknowledged writes, so the
 * second one must stop before it touches anything. etcd does the same with flock on its WAL
 * files; here it is {@link FileChannel#tryLock} (fcntl on Linux) on {@value #FILE} inside the
 * directory. The kernel drops the lock when the process dies, however it dies, so a stale lock
 * file never blocks a restart. The file also says who holds it (pid and a name) so that the
 * refusal can name the holder.
 *
 * <p>Nothing else in the process may open the lock file: on Linux the lock is a POSIX
 * record lock, which the kernel drops when the process closes <em>any</em> descriptor of the
 * file.
 *
 * <p>Within one JVM a second lock of the same directory is refused before the file is opened
 * at all ({@link #HELD}): opening and closing it again would drop the first holder's lock.
 */
public final class DataDirLock implements AutoCloseable {
  /** The lock file's name inside the data directory. */
  public static final String FILE = "lock";

  /** The directories this JVM holds, by real path, with the refusal's words for a second. */
  private static final Map<Path, String> HELD = new ConcurrentHashMap<>();

  private final Path key;
  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(Path key, FileChannel channel, FileLock lock) {
    this.key = key;
    this.channel = channel;
    this.lock = lock;
  }

  /** Refused: another process (or this one) holds the data directory. */
  public static final class InUseException extends IOException {
    InUseException(String message) {
      super(message);
    }
  }

  /**
   * Creates {@code dataDir} if needed and locks it for {@code holder} (e.g. "member n1"),
   * which the refusal of a second locker names.
   *
   * @throws InUseException if another process or an earlier lock in this one holds it
   * @throws IOException if the directory or the lock file cannot be written (see {@link
   *     DataDirCheck#notWritable})
   */
  public static DataDirLock acquire(Path dataDir, String holder) throws IOException {
    Path key;
    try {
      Files.createDirectories(dataDir);
      key = dataDir.toRealPath();
    } catch (IOException e) {
      throw DataDirCheck.notWritable(dataDir, dataDir.resolve(FILE), e);
    }
    String who = ProcessHandle.current().pid() + " " + holder;
    String earlier = HELD.putIfAbsent(key, who);
    if (earlier != null) {
      throw new InUseException(inUse(dataDir, earlier));
    }
    try {
      return lock(dataDir, key, who);
    } catch (IOException | RuntimeException e) {
      HELD.remove(key);
      throw e;
    }
  }

  private static DataDirLock lock(Path dataDir, Path key, String who) throws IOException {
    FileChannel ch;
    try {
      // No TRUNCATE_EXISTING: the holder's name must survive a refused open.
      ch = FileChannel.open(dataDir.resolve(FILE), StandardOpenOption.CREATE,
          StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw DataDirCheck.notWritable(dataDir, dataDir.resolve(FILE), e);
    }
    try {
      FileLock lock = ch.tryLock();
      if (lock == null) {
        throw new InUseException(inUse(dataDir, holderIn(ch)));
      }
      ch.truncate(0);
      ch.write(ByteBuffer.wrap((who + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      ch.force(true);
      return new DataDirLock(key, ch, lock);
    } catch (IOException | RuntimeException e) {
      ch.close(); // no lock of this JVM's on the file (HELD saw to it), so none is dropped
      throw e;
    }
  }

  /** What the lock file says of its holder: "pid name". */
  private static String holderIn(FileChannel ch) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(512);
    ch.read(buf, 0);
    return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).trim();
  }

  private static String inUse(Path dataDir, String pidAndName) {
    String[] who = pidAndName.split(" ", 2);
    String holder = who.length == 2 ? who[1] + " (pid " + who[0] + ")" : "another process";
    return "data directory " + dataDir + " is in use by " + holder + ": two processes "
        + "writing one WAL lose acknowledged writes, so this one stops. Stop that process "
        + "first, or give this one its own data directory";
  }

  /** Releases the lock (the process's exit does the same). */
  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
      HELD.remove(key);
    }
  }
}
