package raft.storage.snap;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import raft.pb.Snapshot;

/**
 * The state machine snapshots of one member (§7), one file each, in {@code <dataDir>/snap/}.
 * Modelled on etcd's {@code snap} package.
 *
 * <h2>Files</h2>
 * A snapshot is named {@code <term>-<index>.snap} with both numbers as 16 hex digits, e.g.
 * {@code 0000000000000002-00000000000003e8.snap}, so that {@code ls} lists them oldest first.
 * The newest two are kept: the newest is what the node restarts from and sends to lagging
 * followers, the one before it is there for a human who has to dig.
 *
 * <h2>Layout</h2>
 * <pre>
 * magic "RAFTSNAP" (8) | version (4) | length (8) | protobuf raft.pb.Snapshot (length) | CRC32C (4)
 * </pre>
 * Integers are big-endian; the CRC32C covers the protobuf bytes.
 *
 * <h2>Crash safety</h2>
 * {@link #save} writes {@code <name>.tmp}, fsyncs it, renames it into place atomically and
 * fsyncs the directory. So a crash leaves either no file (and maybe a {@code .tmp}, which the
 * next open deletes: nobody relied on it) or a whole, durable one. A named snapshot that fails
 * its checks therefore did not come from a crash but from the disk or a person: {@link
 * #loadNewest} refuses to guess and throws, naming the file and what to do. It does not fall
 * back to the older snapshot, because the WAL may already have released the entries between
 * the two.
 *
 * <p>Threading: not thread-safe; the node's loop owns it. Every method blocks on disk I/O.
 */
public final class SnapshotStore {
  static final byte[] MAGIC = "RAFTSNAP".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  static final int HEADER_BYTES = MAGIC.length + 4 + 8;
  static final int KEEP = 2;
  private static final Pattern NAME = Pattern.compile("([0-9a-f]{16})-([0-9a-f]{16})\\.snap");

  private final Path dir;
  private final Consumer<String> log;

  /** A snapshot file's identity, from its name. */
  record Name(long term, long index, String file) {}

  private SnapshotStore(Path dir, Consumer<String> log) {
    this.dir = dir;
    this.log = log;
  }

  /**
   * Opens (creating) the snapshot directory and deletes any leftover {@code .tmp} file, which
   * is a save that a crash interrupted before its rename.
   */
  public static SnapshotStore open(Path dir, Consumer<String> log) throws IOException {
    Files.createDirectories(dir);
    SnapshotStore s = new SnapshotStore(dir, log);
    s.deleteTemporaries();
    return s;
  }

  public Path dir() {
    return dir;
  }

  public static String fileName(long term, long index) {
    return String.format("%016x-%016x.snap", term, index);
  }

  /** Durably stores {@code snap}, then deletes all but the newest {@value #KEEP} snapshots. */
  public void save(Snapshot snap) throws IOException {
    String name = fileName(snap.getMetadata().getTerm(), snap.getMetadata().getIndex());
    Path tmp = dir.resolve(name + ".tmp");
    byte[] body = snap.toByteArray();
    ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + body.length + 4);
    buf.put(MAGIC).putInt(VERSION).putLong(body.length).put(body).putInt(crc(body)).flip();
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    syncDir();
    purgeOld();
  }

  /**
   * The newest snapshot, or empty if there is none.
   *
   * @throws SnapshotCorruptException if the newest snapshot file cannot be read or fails its
   *     checks; the message names the file and what to do
   */
  public Optional<Snapshot> loadNewest() throws IOException {
    List<Name> names = list();
    if (names.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(read(names.get(names.size() - 1)));
  }

  /** The snapshot files, oldest first. */
  public List<String> files() throws IOException {
    return list().stream().map(Name::file).toList();
  }

  private Snapshot read(Name n) throws IOException {
    Path p = dir.resolve(n.file());
    byte[] data;
    try {
      data = Files.readAllBytes(p);
    } catch (IOException e) {
      throw new SnapshotCorruptException(p, "cannot be read (" + e + ")");
    }
    ByteBuffer b = ByteBuffer.wrap(data);
    if (data.length < HEADER_BYTES + 4 || !b.slice(0, MAGIC.length).equals(ByteBuffer.wrap(MAGIC))) {
      throw new SnapshotCorruptException(p, "has no valid header (truncated or not a snapshot)");
    }
    int version = b.getInt(MAGIC.length);
    long length = b.getLong(MAGIC.length + 4);
    if (version != VERSION) {
      throw new SnapshotCorruptException(p, "has unknown format version " + version);
    }
    if (length != data.length - HEADER_BYTES - 4) {
      throw new SnapshotCorruptException(p, "says it holds " + length + " bytes but the file "
          + "holds " + (data.length - HEADER_BYTES - 4) + " (truncated or extended)");
    }
    byte[] body = new byte[(int) length];
    b.get(HEADER_BYTES, body);
    if (crc(body) != b.getInt(HEADER_BYTES + (int) length)) {
      throw new SnapshotCorruptException(p, "fails its CRC32C check (the bytes were damaged)");
    }
    return parse(p, n, body);
  }

  private static Snapshot parse(Path p, Name n, byte[] body) throws IOException {
    Snapshot s;
    try {
      s = Snapshot.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      throw new SnapshotCorruptException(p, "passes its CRC but is not a valid Snapshot ("
          + e.getMessage() + ")");
    }
    if (s.getMetadata().getIndex() != n.index() || s.getMetadata().getTerm() != n.term()) {
      throw new SnapshotCorruptException(p, "holds the snapshot at index "
          + s.getMetadata().getIndex() + " term " + s.getMetadata().getTerm()
          + ", which does not match its name (renamed by hand?)");
    }
    return s;
  }

  /** Snapshot files ordered by (index, term), oldest first. */
  private List<Name> list() throws IOException {
    List<Name> names = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String f = p.getFileName().toString();
        Matcher m = NAME.matcher(f);
        if (m.matches()) {
          names.add(new Name(Long.parseUnsignedLong(m.group(1), 16),
              Long.parseUnsignedLong(m.group(2), 16), f));
        }
      }
    }
    names.sort(Comparator.comparingLong(Name::index).thenComparingLong(Name::term));
    return names;
  }

  private void purgeOld() throws IOException {
    List<Name> names = list();
    boolean deleted = false;
    for (int i = 0; i < names.size() - KEEP; i++) {
      deleted |= Files.deleteIfExists(dir.resolve(names.get(i).file()));
    }
    if (deleted) {
      syncDir();
    }
  }

  private void deleteTemporaries() throws IOException {
    List<Path> tmps;
    try (Stream<Path> s = Files.list(dir)) {
      tmps = s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
    }
    for (Path p : tmps) {
      try {
        Files.delete(p);
      } catch (NoSuchFileException e) {
        continue;
      }
      log.accept("snapshot store: deleted " + p + ", a save interrupted by a crash before it "
          + "completed (no one relied on it)");
    }
  }

  private void syncDir() throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private static int crc(byte[] body) {
    CRC32C c = new CRC32C();
    c.update(body);
    return (int) c.getValue();
  }
}
