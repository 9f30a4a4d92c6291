package raft.storage.durable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

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
 * <p>Within one JVM a second lock of the same file is refused too (the JDK throws {@link
 * OverlappingFileLockException}; it is reported the same way).
 */
public final class DataDirLock implements AutoCloseable {
  /** The lock file's name inside the data directory. */
  public static final String FILE = "lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(FileChannel channel, FileLock lock) {
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
    FileChannel ch;
    try {
      Files.createDirectories(dataDir);
      // No TRUNCATE_EXISTING: the holder's name must survive a refused open.
      ch = FileChannel.open(dataDir.resolve(FILE), StandardOpenOption.CREATE,
          StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw DataDirCheck.notWritable(dataDir, dataDir.resolve(FILE), e);
    }
    try {
      FileLock lock = tryLock(ch);
      if (lock == null) {
        throw new InUseException(inUse(dataDir, ch));
      }
      String who = ProcessHandle.current().pid() + " " + holder + "\n";
      ch.truncate(0);
      ch.write(ByteBuffer.wrap(who.getBytes(StandardCharsets.UTF_8)), 0);
      ch.force(true);
      return new DataDirLock(ch, lock);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** The lock, or null if someone holds it. */
  private static FileLock tryLock(FileChannel ch) throws IOException {
    try {
      return ch.tryLock();
    } catch (OverlappingFileLockException sameJvm) {
      return null;
    }
  }

  private static String inUse(Path dataDir, FileChannel ch) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(512);
    ch.read(buf, 0);
    String[] who = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).trim()
        .split(" ", 2);
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
    }
  }
}
