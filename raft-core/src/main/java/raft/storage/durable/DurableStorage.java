package raft.storage.durable;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import raft.core.Ready;
import raft.pb.ConfState;
import raft.pb.Entry;
import raft.pb.HardState;
import raft.pb.Snapshot;
import raft.pb.SnapshotMetadata;
import raft.storage.MemberIdentity;
import raft.log.MemoryStorage;
import raft.log.Storage;
import raft.storage.snap.SnapshotStore;
import raft.storage.wal.NioWalFiles;
import raft.storage.wal.TimedWalFiles;
import raft.storage.wal.Wal;
import raft.storage.wal.WalFiles;

/**
 * A member's durable log: a {@link MemoryStorage} that the protocol reads (fast, in memory),
 * backed by the {@link Wal} in {@code <dataDir>/wal/} and the {@link SnapshotStore} in
 * {@code <dataDir>/snap/}. Everything is written to disk before it reaches the memory copy, so
 * the protocol never sees a state that a crash could take back.
 *
 * <p>Recovery ({@link #open}): the newest snapshot, then the WAL's entries after it and its
 * hard state. A brand-new directory starts with the membership {@code peers}.
 *
 * <p>Ownership: with {@link Options#identity}, open refuses a directory that cannot be written
 * ({@link DataDirCheck#checkWritable}) or that the WAL's metadata record or the newest
 * snapshot's header says belongs to another member or cluster ({@link
 * DataDirCheck.IdentityMismatchException}); a directory that says nothing (new, or from an
 * older version) gets the identity recorded. Locking the directory against a second process
 * is the owner's job ({@link DataDirLock}), for the life of the process.
 *
 * <p>Failures: every {@link IOException} is final for this object (the WAL refuses later
 * writes): after a failed fsync the kernel may have dropped the data, so retrying could report
 * success for lost writes (PostgreSQL's "fsyncgate"). The owner must stop and restart from disk.
 *
 * <p>Threading: two threads share it. The <em>writer</em> (a member's storage thread) calls
 * {@link #persistAll} and {@link #installSnapshotFile}, which alone touch the WAL and block on
 * disk I/O. The node's <em>loop</em> reads (the {@link Storage} methods, {@link #snapshot}) and
 * trims the memory log ({@link #compactMemory}); the memory log is thread-safe, and {@link
 * #snapshot} is consistent with a snapshot being installed. Anything else: one thread at a time.
 */
public final class DurableStorage implements Storage, AutoCloseable {

  /**
   * @param segmentBytes size of a WAL segment
   * @param snapshotCatchUpEntries entries kept in the log below a new snapshot, so that a
   *     follower that is slightly behind gets entries rather than a whole snapshot (etcd: 5000)
   * @param snapshotCatchUpBytes and at most this many bytes of them: the log is in the heap,
   *     and 5000 entries of 512 KiB values are 2.5 GB
   * @param log one line per notable recovery event
   * @param identity whose data directory this must be (see {@link MemberIdentity}); null
   *     checks and records nothing (tools, tests)
   * @param fsyncNanos told how long each fsync of the WAL took, on the writing thread (etcd's
   *     wal_fsync_duration_seconds); must return at once
   */
  public record Options(long segmentBytes, long snapshotCatchUpEntries, long snapshotCatchUpBytes,
      Consumer<String> log, MemberIdentity identity, LongConsumer fsyncNanos) {
    public static final long DEFAULT_CATCH_UP_ENTRIES = 5000;

    /** No fsync observer. */
    public Options(long segmentBytes, long snapshotCatchUpEntries, long snapshotCatchUpBytes,
        Consumer<String> log, MemberIdentity identity) {
      this(segmentBytes, snapshotCatchUpEntries, snapshotCatchUpBytes, log, identity,
          nanos -> { });
    }

    /** No bound on the catch-up entries' bytes; no identity. */
    public Options(long segmentBytes, long snapshotCatchUpEntries, Consumer<String> log) {
      this(segmentBytes, snapshotCatchUpEntries, Long.MAX_VALUE, log, null);
    }

    public static Options defaults(Consumer<String> log) {
      return new Options(Wal.Options.DEFAULT_SEGMENT_BYTES, DEFAULT_CATCH_UP_ENTRIES, log);
    }

    public Options withIdentity(MemberIdentity id) {
      return new Options(segmentBytes, snapshotCatchUpEntries, snapshotCatchUpBytes, log, id,
          fsyncNanos);
    }

    public Options withFsyncObserver(LongConsumer observer) {
      return new Options(segmentBytes, snapshotCatchUpEntries, snapshotCatchUpBytes, log,
          identity, observer);
    }
  }

  private final MemoryStorage mem;
  private final Wal wal;
  private final SnapshotStore snaps;
  private final Options options;
  private long installedIndex; // the newest snapshot on disk; the writer's

  private DurableStorage(MemoryStorage mem, Wal wal, SnapshotStore snaps, Options options) {
    this.mem = mem;
    this.installedIndex = mem.snapshot().getMetadata().getIndex();
    this.wal = wal;
    this.snaps = snaps;
    this.options = options;
  }

  public static DurableStorage open(Path dataDir, List<Long> peers, Consumer<String> log)
      throws IOException {
    return open(dataDir, peers, Options.defaults(log));
  }

  /**
   * Opens (creating) the storage in {@code dataDir} and recovers it.
   *
   * @throws IOException if the WAL or the newest snapshot is corrupt (the message names the
   *     file and what to do), the directory cannot be written or is another member's, or the
   *     disk fails
   */
  public static DurableStorage open(Path dataDir, List<Long> peers, Options o)
      throws IOException {
    return open(dataDir, peers, o, new NioWalFiles(dataDir.resolve("wal")));
  }

  /** As above, with the WAL's files behind {@code walFiles} (tests inject disk faults). */
  public static DurableStorage open(Path dataDir, List<Long> peers, Options o,
      WalFiles walFiles) throws IOException {
    MemberIdentity id = o.identity();
    if (id != null) {
      DataDirCheck.checkWritable(dataDir);
    }
    SnapshotStore snaps = SnapshotStore.open(dataDir.resolve("snap"), o.log(), id);
    if (id != null) {
      Optional<MemberIdentity> owner = snaps.newestIdentity();
      if (owner.isPresent()) {
        DataDirCheck.checkOwner(dataDir, "newest snapshot", owner.get(), id);
      }
    }
    Optional<Snapshot> snap = snaps.loadNewest();
    Wal wal = Wal.open(new TimedWalFiles(walFiles, o.fsyncNanos()),
        new Wal.Options(o.segmentBytes(), o.log()));
    try {
      if (id != null) {
        recordOwner(dataDir, wal, id, o.log());
      }
      MemoryStorage mem = Recovery.restore(wal, snaps, snap, peers);
      return new DurableStorage(mem, wal, snaps, o);
    } catch (IOException | RuntimeException e) {
      wal.close();
      throw e;
    }
  }

  /** Checks the WAL's owner, or records it in a WAL that names none (new or older). */
  private static void recordOwner(Path dataDir, Wal wal, MemberIdentity id, Consumer<String> log)
      throws IOException {
    Optional<MemberIdentity> owner = wal.identity();
    if (owner.isPresent()) {
      DataDirCheck.checkOwner(dataDir, "WAL", owner.get(), id);
      return;
    }
    wal.saveIdentity(id);
    log.accept("data directory " + dataDir + ": recorded in the WAL that it belongs to " + id);
  }

  /** Step 2 of one {@link Ready} (see {@link #persistAll}). */
  public void persist(Ready rd) throws IOException {
    persistAll(List.of(rd));
  }

  /**
   * Step 2 of several {@link Ready}s, in order (group commit): for each, the snapshot (file,
   * then WAL marker), then its entries and hard state as one WAL batch; then at most one fsync
   * for all of them; then the memory copy, so the protocol never reads a state that a crash
   * could take back.
   */
  public void persistAll(List<Ready> batch) throws IOException {
    boolean sync = false;
    for (Ready rd : batch) {
      if (rd.snapshot() != null) {
        synchronized (snaps) { // the file before the marker: never a marker without its file
          snaps.save(rd.snapshot());
          wal.saveSnapshotMarker(rd.snapshot().getMetadata());
          installedIndex = rd.snapshot().getMetadata().getIndex();
        }
      }
      if (!rd.entries().isEmpty() || rd.hardState() != null) {
        wal.save(rd.hardState(), rd.entries(), false);
      }
      sync |= rd.mustSync();
    }
    if (sync) {
      wal.save(null, List.of(), true); // Figure 2: respond only after updating stable storage
    }
    for (Ready rd : batch) {
      if (rd.snapshot() != null) {
        mem.applySnapshot(metadataOnly(rd.snapshot()));
      }
      mem.append(rd.entries());
      if (rd.hardState() != null) {
        mem.setHardState(rd.hardState());
      }
    }
  }

  /**
   * Stores a snapshot of the state machine as of {@code index} (which must be applied) in a
   * file and marks it in the WAL. Returns the current snapshot's metadata (an older request
   * changes nothing). The one-step form, for a state already
   * in memory (tests); the runtime streams its state with the two steps below.
   */
  SnapshotMetadata createSnapshot(long index, ConfState cs, ByteString data)
      throws IOException {
    if (index <= snapshotMetadata().getIndex()) {
      return snapshotMetadata();
    }
    SnapshotMetadata m = SnapshotMetadata.newBuilder().setIndex(index).setTerm(mem.term(index))
        .setConfState(cs).build();
    return installSnapshot(writeSnapshotFile(m, data::writeTo), m);
  }

  /**
   * Step 1 of taking a snapshot, on the state machine's own thread while it holds the state of
   * {@code m}'s index: streams the state into a temporary file (see {@link
   * SnapshotStore#writeTemporary}). Safe alongside the owner's calls.
   */
  public Path writeSnapshotFile(SnapshotMetadata m, SnapshotStore.DataWriter state)
      throws IOException {
    return snaps.writeTemporary(m, state);
  }

  /** Steps 2 and 3 below, by one thread (tools and tests). */
  public SnapshotMetadata installSnapshot(Path file, SnapshotMetadata m) throws IOException {
    if (!installSnapshotFile(file, m)) {
      return snapshotMetadata();
    }
    compactMemory(m);
    return m;
  }

  /**
   * Step 2, by the writer: puts the file of step 1 in place, marks it in the WAL, and deletes
   * the WAL segments it wholly covers (recovery starts from the snapshot anyway). False (and
   * the file deleted) if it is not newer than the snapshot in place.
   */
  public boolean installSnapshotFile(Path file, SnapshotMetadata m) throws IOException {
    synchronized (snaps) {
      if (m.getIndex() <= installedIndex) {
        Files.deleteIfExists(file);
        return false;
      }
      snaps.install(file, m);
      wal.saveSnapshotMarker(m);
      installedIndex = m.getIndex();
    }
    wal.releaseBefore(m.getIndex());
    return true;
  }

  /**
   * Step 3, by the loop: log compaction (§7) after the snapshot {@code m}. The memory log
   * records it and keeps {@code snapshotCatchUpEntries} entries below it (within the byte
   * bound), so that a follower slightly behind gets entries rather than a whole snapshot.
   */
  public void compactMemory(SnapshotMetadata m) {
    if (m.getIndex() <= snapshotMetadata().getIndex()) {
      return;
    }
    if (mem.term(m.getIndex()) != m.getTerm()) {
      throw new IllegalStateException("snapshot at index " + m.getIndex() + " says term "
          + m.getTerm() + " but the log has term " + mem.term(m.getIndex()) + " there");
    }
    mem.createSnapshot(m.getIndex(), m.getConfState(), ByteString.EMPTY);
    long keepFrom = Math.max(m.getIndex() - options.snapshotCatchUpEntries(),
        catchUpStartByBytes(m.getIndex()));
    if (keepFrom > mem.firstIndex() - 1) {
      mem.compact(Math.min(keepFrom, m.getIndex()));
    }
  }

  /** The index below which the entries up to {@code snapshotIndex} pass the byte bound. */
  private long catchUpStartByBytes(long snapshotIndex) {
    long from = Math.max(mem.firstIndex(), snapshotIndex - options.snapshotCatchUpEntries());
    if (options.snapshotCatchUpBytes() == Long.MAX_VALUE || from > snapshotIndex) {
      return 0;
    }
    List<Entry> below = mem.entries(from, snapshotIndex + 1, Long.MAX_VALUE);
    long bytes = 0;
    for (int i = below.size() - 1; i >= 0; i--) {
      bytes += below.get(i).getSerializedSize();
      if (bytes > options.snapshotCatchUpBytes()) {
        return below.get(i).getIndex();
      }
    }
    return 0;
  }

  public HardState hardState() {
    return mem.hardState();
  }

  /** The WAL segment files, oldest first (for tests and status). */
  public List<String> walSegments() {
    return wal.segmentFiles();
  }

  @Override
  public InitialState initialState() {
    return mem.initialState();
  }

  @Override
  public List<Entry> entries(long lo, long hi, long maxSize) {
    return mem.entries(lo, hi, maxSize);
  }

  @Override
  public long term(long i) {
    return mem.term(i);
  }

  @Override
  public long lastIndex() {
    return mem.lastIndex();
  }

  @Override
  public long firstIndex() {
    return mem.firstIndex();
  }

  /**
   * The newest snapshot, with its data read back from its file. The memory log keeps only the
   * metadata: the data is a copy of the whole state machine, needed only to catch up a follower
   * (§7) or to restart, both rare, and keeping it would double a member's memory.
   *
   * @throws UncheckedIOException if the file cannot be read or fails its checks
   */
  @Override
  public Snapshot snapshot() {
    SnapshotMetadata m = snapshotMetadata();
    if (m.getIndex() == 0) {
      return mem.snapshot();
    }
    try {
      Snapshot s;
      synchronized (snaps) {
        s = snaps.loadNewest().orElseThrow(() -> new IOException("no snapshot file"));
      }
      // The writer may have installed a newer one that the memory log does not know yet.
      if (s.getMetadata().getIndex() < m.getIndex()) {
        throw new IOException("the newest file holds index " + s.getMetadata().getIndex()
            + " term " + s.getMetadata().getTerm());
      }
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException("the snapshot at index " + m.getIndex() + " term "
          + m.getTerm() + " cannot be read back from " + snaps.dir() + ": " + e.getMessage(), e);
    }
  }

  /** The newest snapshot's index, term and membership, without reading its data. */
  public SnapshotMetadata snapshotMetadata() {
    return mem.snapshot().getMetadata();
  }

  /** What the memory log keeps of a snapshot (see {@link #snapshot}). */
  static Snapshot metadataOnly(Snapshot s) {
    return s.getData().isEmpty() ? s : s.toBuilder().clearData().build();
  }

  @Override
  public void close() throws IOException {
    wal.close();
  }
}
