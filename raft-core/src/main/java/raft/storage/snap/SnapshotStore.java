package raft.storage.snap;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;
import raft.pb.Snapshot;
import raft.pb.SnapshotMetadata;
import raft.storage.MemberIdentity;

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
 * version 1: magic "RAFTSNAP" (8) | 1 (4) | length (8) | raft.pb.Snapshot (length) | CRC32C (4)
 * version 2: magic "RAFTSNAP" (8) | 2 (4) | member id (8) | cluster id (8) | length (8) | ...
 * </pre>
 * Integers are big-endian; the CRC32C covers the protobuf bytes. Version 2 names the member
 * that wrote the file ({@link MemberIdentity}), which checks it at start like the WAL's
 * metadata record; a store opened without an identity (tools, tests) writes version 1, and
 * both are read.
 *
 * <h2>Crash safety</h2>
 * {@link #save} ({@link #writeTemporary} then {@link #install}) writes {@code <name>.<n>.tmp},
 * fsyncs it, renames it into place atomically and fsyncs the directory. So a crash leaves
 * either no file (and maybe a {@code .tmp}, which the next open deletes: nobody relied on it)
 * or a whole, durable one. A named snapshot that fails
 * its checks therefore did not come from a crash but from the disk or a person: {@link
 * #loadNewest} refuses to guess and throws, naming the file and what to do. It does not fall
 * back to the older snapshot, because the WAL may already have released the entries between
 * the two.
 *
 * <p>Threading: not thread-safe; the node's loop owns it, except that any one other thread
 * may call {@link #writeTemporary}. Every method blocks on disk I/O.
 */
public final class SnapshotStore {
  static final byte[] MAGIC = "RAFTSNAP".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  static final int VERSION_WITH_IDENTITY = 2;
  static final int HEADER_BYTES = MAGIC.length + 4 + 8;
  static final int IDENTITY_BYTES = 16;
  static final int KEEP = 2;
  private static final int STREAM_BUFFER_BYTES = 64 * 1024;
  private static final Pattern NAME = Pattern.compile("([0-9a-f]{16})-([0-9a-f]{16})\\.snap");

  private final Path dir;
  private final Consumer<String> log;
  private final MemberIdentity identity; // written into every file's header; null: version 1

  /** A snapshot file's identity, from its name. */
  record Name(long term, long index, String file) {}

  private SnapshotStore(Path dir, Consumer<String> log, MemberIdentity identity) {
    this.dir = dir;
    this.log = log;
    this.identity = identity;
  }

  /**
   * Opens (creating) the snapshot directory and deletes any leftover {@code .tmp} file, which
   * is a save that a crash interrupted before its rename.
   */
  public static SnapshotStore open(Path dir, Consumer<String> log) throws IOException {
    return open(dir, log, null);
  }

  /** As above; every file written names {@code owner} (null: none, version 1). */
  public static SnapshotStore open(Path dir, Consumer<String> log, MemberIdentity owner)
      throws IOException {
    Files.createDirectories(dir);
    SnapshotStore s = new SnapshotStore(dir, log, owner);
    s.deleteTemporaries();
    return s;
  }

  public Path dir() {
    return dir;
  }

  public static String fileName(long term, long index) {
    return String.format("%016x-%016x.snap", term, index);
  }

  /** Writes a snapshot's data; called twice, once to count the bytes: both must be equal. */
  @FunctionalInterface
  public interface DataWriter {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Durably stores {@code snap}, then deletes all but the newest {@value #KEEP} snapshots. */
  public void save(Snapshot snap) throws IOException {
    install(writeTemporary(snap.getMetadata(), snap.getData()::writeTo), snap.getMetadata());
  }

  /**
   * Step 1 of a save: streams the snapshot into a new temporary file in this directory and
   * fsyncs it. A snapshot is as large as the whole state, so it is never held in memory: the
   * state machine writes it straight to the file through a small buffer. Protobuf puts a
   * field's length before its bytes, so {@code data} runs twice, first only to count them.
   * Safe to call from another thread than the owner's: it touches only its own new file.
   */
  public Path writeTemporary(SnapshotMetadata m, DataWriter data) throws IOException {
    Counting count = new Counting(OutputStream.nullOutputStream());
    data.writeTo(count);
    long dataBytes = count.bytes;
    // Snapshot's fields in order, as Snapshot.writeTo would write them: data (1) unless
    // empty, then metadata (2).
    long dataField = dataBytes == 0 ? 0 : CodedOutputStream.computeTagSize(
        Snapshot.DATA_FIELD_NUMBER) + CodedOutputStream.computeUInt64SizeNoTag(dataBytes)
        + dataBytes;
    long bodyBytes = dataField + CodedOutputStream.computeMessageSize(
        Snapshot.METADATA_FIELD_NUMBER, m);
    Path tmp = Files.createTempFile(dir, fileName(m.getTerm(), m.getIndex()) + ".", ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      DataOutputStream out = new DataOutputStream(new BufferedOutputStream(chunked(ch),
          STREAM_BUFFER_BYTES));
      out.write(MAGIC);
      out.writeInt(identity == null ? VERSION : VERSION_WITH_IDENTITY);
      if (identity != null) {
        out.writeLong(identity.memberId());
        out.writeLong(identity.clusterId());
      }
      out.writeLong(bodyBytes);
      CRC32C crc = new CRC32C();
      OutputStream body = new CheckedOutputStream(out, crc);
      CodedOutputStream fields = CodedOutputStream.newInstance(body, 64);
      if (dataBytes > 0) {
        fields.writeTag(Snapshot.DATA_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        fields.writeUInt64NoTag(dataBytes);
        fields.flush();
        Counting again = new Counting(body);
        data.writeTo(again);
        if (again.bytes != dataBytes) {
          throw new IOException("snapshot at index " + m.getIndex() + ": the state machine "
              + "wrote " + again.bytes + " bytes after counting " + dataBytes + " (it must "
              + "write the same bytes both times)");
        }
      }
      fields.writeMessage(Snapshot.METADATA_FIELD_NUMBER, m);
      fields.flush();
      out.writeInt((int) crc.getValue());
      out.flush();
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    return tmp;
  }

  /**
   * Step 2 of a save, by the owner: renames the temporary file of {@code m} into place
   * atomically, fsyncs the directory, then deletes all but the newest {@value #KEEP}.
   */
  public void install(Path tmp, SnapshotMetadata m) throws IOException {
    Files.move(tmp, dir.resolve(fileName(m.getTerm(), m.getIndex())),
        StandardCopyOption.ATOMIC_MOVE);
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

  /**
   * The member that wrote the newest snapshot file, from its header; empty if there is no
   * file or it does not say (version 1).
   */
  public Optional<MemberIdentity> newestIdentity() throws IOException {
    List<Name> names = list();
    if (names.isEmpty()) {
      return Optional.empty();
    }
    Path p = dir.resolve(names.get(names.size() - 1).file());
    try (DataInputStream in = new DataInputStream(Files.newInputStream(p))) {
      in.skipNBytes(MAGIC.length);
      if (in.readInt() != VERSION_WITH_IDENTITY) {
        return Optional.empty();
      }
      return Optional.of(new MemberIdentity(in.readLong(), in.readLong()));
    } catch (IOException | IllegalArgumentException e) {
      throw new SnapshotCorruptException(p, "has no valid header (" + e + ")");
    }
  }

  /** The snapshot files, oldest first. */
  public List<String> files() throws IOException {
    return list().stream().map(Name::file).toList();
  }

  /** Reads and checks one file of this directory: its contents must match its name. */
  private Snapshot read(Name n) throws IOException {
    Path p = dir.resolve(n.file());
    Snapshot s = readFile(p);
    if (s.getMetadata().getIndex() != n.index() || s.getMetadata().getTerm() != n.term()) {
      throw new SnapshotCorruptException(p, "holds the snapshot at index "
          + s.getMetadata().getIndex() + " term " + s.getMetadata().getTerm()
          + ", which does not match its name (renamed by hand?)");
    }
    return s;
  }

  /** Reads and checks a snapshot file, holding its body in memory once (the data aliases it). */
  private static Snapshot readFile(Path p) throws IOException {
    return readFile(p, false);
  }

  /**
   * Reads and checks the snapshot at the start of a file, wherever it is and whatever its name,
   * and whatever follows it (a backup carries a trailer).
   */
  public static Snapshot readPrefix(Path p) throws IOException {
    return readFile(p, true);
  }

  /**
   * As {@link #readPrefix}, but the file is mapped rather than read into the heap: the
   * snapshot's data is a view of the mapping (protobuf aliasing), so a reader that walks it
   * (a backup in another format, a hash) holds no copy of the state. The view stays valid
   * after the file is deleted, until it is no longer referenced.
   */
  public static Snapshot mapPrefix(Path p) throws IOException {
    java.nio.MappedByteBuffer map;
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      map = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
    }
    byte[] magic = new byte[MAGIC.length];
    if (map.capacity() < HEADER_BYTES + 4 || !Arrays.equals(magic(map, magic), MAGIC)) {
      throw new SnapshotCorruptException(p, "has no valid header (truncated or not a snapshot)");
    }
    int version = map.getInt(MAGIC.length);
    if (version != VERSION && version != VERSION_WITH_IDENTITY) {
      throw new SnapshotCorruptException(p, "has unknown format version " + version);
    }
    int header = HEADER_BYTES + (version == VERSION ? 0 : IDENTITY_BYTES);
    long length = map.getLong(header - 8);
    if (length < 0 || length > map.capacity() - header - 4) {
      throw new SnapshotCorruptException(p, "says it holds " + length + " bytes but the file "
          + "holds " + (map.capacity() - header - 4) + " (truncated)");
    }
    java.nio.ByteBuffer body = map.slice(header, (int) length);
    CRC32C c = new CRC32C();
    c.update(body.duplicate());
    if ((int) c.getValue() != map.getInt(header + (int) length)) {
      throw new SnapshotCorruptException(p, "fails its CRC32C check (the bytes were damaged)");
    }
    try {
      // Through a ByteString: a CodedInputStream made straight from a ByteBuffer counts it as
      // mutable and copies bytes fields even with aliasing on; one from a wrapped ByteString
      // shares them.
      CodedInputStream in = com.google.protobuf.UnsafeByteOperations.unsafeWrap(body)
          .newCodedInput();
      in.enableAliasing(true);
      return Snapshot.parseFrom(in);
    } catch (InvalidProtocolBufferException e) {
      throw new SnapshotCorruptException(p, "passes its CRC but is not a valid Snapshot ("
          + e.getMessage() + ")");
    }
  }

  private static byte[] magic(java.nio.ByteBuffer map, byte[] into) {
    map.get(0, into);
    return into;
  }

  private static Snapshot readFile(Path p, boolean trailerAllowed) throws IOException {
    byte[] body;
    int storedCrc;
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      long size = ch.size();
      DataInputStream in = new DataInputStream(new BufferedInputStream(
          Channels.newInputStream(ch), STREAM_BUFFER_BYTES));
      byte[] magic = new byte[MAGIC.length];
      if (size < HEADER_BYTES + 4 || in.read(magic) != MAGIC.length
          || !Arrays.equals(magic, MAGIC)) {
        throw new SnapshotCorruptException(p, "has no valid header (truncated or not a snapshot)");
      }
      int version = in.readInt();
      if (version != VERSION && version != VERSION_WITH_IDENTITY) {
        throw new SnapshotCorruptException(p, "has unknown format version " + version);
      }
      int header = HEADER_BYTES + (version == VERSION ? 0 : IDENTITY_BYTES);
      if (version == VERSION_WITH_IDENTITY) {
        in.skipNBytes(IDENTITY_BYTES); // checked at start, see newestIdentity
      }
      long length = in.readLong();
      long available = size - header - 4;
      if (trailerAllowed ? length < 0 || length > available : length != available) {
        throw new SnapshotCorruptException(p, "says it holds " + length + " bytes but the file "
            + "holds " + available + " (truncated or extended)");
      }
      body = new byte[Math.toIntExact(length)];
      for (int off = 0, piece; off < body.length; off += piece) { // in pieces: see chunked()
        piece = Math.min(body.length - off, STREAM_BUFFER_BYTES);
        in.readFully(body, off, piece);
      }
      storedCrc = in.readInt();
    } catch (SnapshotCorruptException e) {
      throw e;
    } catch (IOException | ArithmeticException e) {
      throw new SnapshotCorruptException(p, "cannot be read (" + e + ")");
    }
    if (crc(body) != storedCrc) {
      throw new SnapshotCorruptException(p, "fails its CRC32C check (the bytes were damaged)");
    }
    return parse(p, body);
  }

  private static Snapshot parse(Path p, byte[] body) throws IOException {
    try {
      // Aliasing: the snapshot's data shares body instead of copying it.
      CodedInputStream in = CodedInputStream.newInstance(body);
      in.enableAliasing(true);
      return Snapshot.parseFrom(in);
    } catch (InvalidProtocolBufferException e) {
      throw new SnapshotCorruptException(p, "passes its CRC but is not a valid Snapshot ("
          + e.getMessage() + ")");
    }
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

  /**
   * An output stream that hands the channel at most {@value #STREAM_BUFFER_BYTES} bytes per
   * write. A channel write from a heap array goes through a JDK temporary direct buffer of the
   * write's size, which the writing thread then keeps: one large write would pin a copy of the
   * whole snapshot outside the heap.
   */
  private static OutputStream chunked(FileChannel ch) {
    OutputStream raw = Channels.newOutputStream(ch);
    return new FilterOutputStream(raw) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        for (int n; len > 0; off += n, len -= n) {
          n = Math.min(len, STREAM_BUFFER_BYTES);
          raw.write(b, off, n);
        }
      }
    };
  }

  /** Passes bytes through and counts them. */
  private static final class Counting extends FilterOutputStream {
    long bytes;

    Counting(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      bytes++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      bytes += len;
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
