package raft.storage.durable;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import raft.storage.MemberIdentity;

/**
 * The checks a data directory passes before a member uses it: that it can be written, and that
 * it is this member's. Both refuse at start, before the member answers anyone, what would
 * otherwise fail later and worse: a read-only directory at the first write (after the member
 * had joined elections), another member's directory by mixing two logs.
 */
public final class DataDirCheck {
  private DataDirCheck() {}

  /** The directory belongs to another member or cluster than the one starting on it. */
  public static final class IdentityMismatchException extends IOException {
    private final Path dataDir;
    private final MemberIdentity recorded;
    private final MemberIdentity expected;

    IdentityMismatchException(Path dataDir, String where, MemberIdentity recorded,
        MemberIdentity expected) {
      super("data directory " + dataDir + " belongs to " + recorded + " (its " + where
          + " says so), but this is " + expected + ": start it with the ids it was made "
          + "with, or give it its own data directory");
      this.dataDir = dataDir;
      this.recorded = recorded;
      this.expected = expected;
    }

    public Path dataDir() {
      return dataDir;
    }

    public MemberIdentity recorded() {
      return recorded;
    }

    public MemberIdentity expected() {
      return expected;
    }
  }

  /**
   * Proves that the member can write where it will: creates, fsyncs and deletes a probe file in
   * the directory and in its {@code wal} and {@code snap} subdirectories, and opens every file
   * already in them for writing. Permission bits are not enough to tell: root (as in
   * containers and CI) writes through them, while a read-only mount or an immutable file
   * ({@code chattr +i}) stops root too. Only trying tells.
   *
   * @throws IOException naming what cannot be written and why
   */
  public static void checkWritable(Path dataDir) throws IOException {
    for (Path dir : List.of(dataDir, dataDir.resolve("wal"), dataDir.resolve("snap"))) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      probe(dataDir, dir.resolve(".probe-" + ProcessHandle.current().pid()));
      try (Stream<Path> files = Files.list(dir)) {
        // Never the lock file: closing any descriptor of a file drops the process's POSIX
        // (fcntl) locks on it, which is what FileChannel.tryLock takes on Linux.
        for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)
            .filter(f -> !f.getFileName().toString().equals(DataDirLock.FILE))::iterator) {
          try {
            // Opened for writing is all we ask: nothing is changed.
            FileChannel.open(f, StandardOpenOption.WRITE).close();
          } catch (IOException e) {
            throw notWritable(dataDir, f, e);
          }
        }
      }
    }
  }

  private static void probe(Path dataDir, Path probe) throws IOException {
    try {
      try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.CREATE,
          StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ch.write(java.nio.ByteBuffer.wrap(new byte[] {1}));
        ch.force(true);
      }
      Files.delete(probe);
    } catch (IOException e) {
      throw notWritable(dataDir, probe, e);
    }
  }

  /** The refusal of a data directory that cannot be written. */
  static IOException notWritable(Path dataDir, Path what, IOException cause) {
    String reason = cause instanceof FileSystemException f && f.getReason() != null
        ? f.getReason() : cause.getClass().getSimpleName() + " " + cause.getMessage();
    return new IOException("data directory " + dataDir + " is not writable: cannot write "
        + what + " (" + reason + "). A member writes its WAL before it answers anyone, so it "
        + "does not start: make the directory and its files writable (read-only mount, "
        + "permissions, chattr +i?) or use another data directory", cause);
  }

  /** Refuses {@code recorded} (from the WAL or a snapshot) if it is not {@code expected}. */
  static void checkOwner(Path dataDir, String where, MemberIdentity recorded,
      MemberIdentity expected) throws IdentityMismatchException {
    if (!recorded.equals(expected)) {
      throw new IdentityMismatchException(dataDir, where, recorded, expected);
    }
  }
}
