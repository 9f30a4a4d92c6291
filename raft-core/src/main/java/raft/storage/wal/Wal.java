package raft.storage.wal;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import raft.pb.Entry;
import raft.pb.HardState;
import raft.pb.SnapshotMetadata;
import raft.pb.WalMetadata;
import raft.storage.MemberIdentity;

/**
 * A node's write-ahead log: everything {@code Ready} says to persist, as checksummed records in
 * a sequence of segment files. Modelled on etcd's {@code wal} and LogCabin's
 * {@code SegmentedLog}.
 *
 * <h2>Files</h2>
 * The data directory holds segments named {@code <seq>-<firstIndex>.wal}, e.g.
 * {@code 0000000000000003-0000000000000042.wal}: sequence numbers count up from 1 without gaps,
 * and {@code firstIndex} is the index the next appended entry had when the segment was opened
 * (the last index so far, plus one). Both are zero-padded so that {@code ls} lists segments in
 * order. Only the newest segment is written to. A segment is created at its full size
 * ({@link Options#segmentBytes}, 64 MiB by default), fsynced with its header before any record
 * goes in, and filled from the front; the untouched rest reads as zeros. When a batch would not
 * fit, the WAL writes a seal record, fsyncs the segment and opens the next one (a batch larger
 * than a segment gets a segment of its own, which grows to fit it). Fsyncing before moving on
 * means damage in any segment but the newest can never be a crash's doing.
 *
 * <h2>Layout</h2>
 * <pre>
 * header:  magic "RAFTWAL\n" (8) | version (4) | seq (8) | firstIndex (8) | prevTerm (8)
 * record:  length (4) | CRC32C (4) | type (1) | payload (length - 1 bytes)
 * </pre>
 * All integers are big-endian. {@code prevTerm} is the term of entry {@code firstIndex - 1}, so
 * that a snapshot marker at that index can still be checked once older segments are gone.
 * {@code length} counts the type byte and the payload, so it is never zero: a zero length means
 * "end of data" (preallocated space). The CRC32C covers the type and the payload, which is
 * protobuf. Types:
 * <ol>
 *   <li>{@code Entry};</li>
 *   <li>{@code HardState} (term, vote, commit);</li>
 *   <li>snapshot marker, {@code SnapshotMetadata} (index, term, membership of a snapshot stored
 *       elsewhere), that keeps the entries after it;</li>
 *   <li>seal (empty): the last record of every segment but the newest, so that a segment cut
 *       short exactly at a record boundary is still noticed;</li>
 *   <li>snapshot marker that replaces the whole log (§7). The writer checks the marker's term
 *       against its log and records the outcome as type 3 or 5, because at replay the entry to
 *       check may have gone with a released segment.</li>
 *   <li>metadata, {@code WalMetadata} (member id, cluster id): whose log this is, as in etcd's
 *       WAL. Written once by {@link #saveIdentity} (the owner checks it at every start, see
 *       {@code DurableStorage}); a WAL written before this record existed has none until its
 *       next start records it. Two different identities in one WAL are corruption: two members
 *       wrote it.</li>
 * </ol>
 * Every segment starts with the metadata record (once known), the current snapshot marker and
 * the hard state, so that older segments can be deleted once a snapshot covers their entries
 * ({@link #releaseBefore}) without losing any of the three.
 *
 * <h2>Replay</h2>
 * Records are folded in order, as Raft's log behaves: an entry at index i replaces every entry
 * from i on; a hard state replaces the previous one; a snapshot marker at i drops the entries up
 * to i (type 3) or all of them (type 5). After each segment the last index must be the next
 * segment's {@code firstIndex - 1}, and at the end every entry after the snapshot must be known.
 *
 * <h2>Torn tail versus corruption</h2>
 * A power cut during a write can leave the newest segment's last record half written: its length
 * points past what reached the disk, or its CRC fails, and nothing but zeros follows it. That
 * record was never fsynced (an fsync would have made it whole), so no one was promised it:
 * recovery cuts it off, re-zeros the space (so that a later, shorter record is not followed by
 * stale bytes that parse) and logs how many bytes it dropped. The same holds for a newest
 * segment whose header is a prefix of the expected one followed by zeros (a crash while opening
 * it), and for a sealed newest segment (a crash between sealing and opening the next). Anything
 * else that fails a check is corruption: a bad record with data after it, a bad record or a
 * missing seal in any but the newest segment, a gap in the sequence numbers, a first index that
 * does not follow from the segments before, a bad header, released entries no snapshot covers.
 * Recovery then refuses to start with a {@link WalCorruptException} naming the file, the offset,
 * the problem and what to do; it never drops data that may have been acknowledged. One case is
 * ambiguous, as in etcd: a bit flipped in the very last record looks like a torn write and is
 * dropped; only a record that was not yet fsynced can be torn, but the WAL cannot tell which.
 *
 * <h2>What fsync buys</h2>
 * {@link #save} with {@code sync} writes the batch and calls fsync once (group commit): when it
 * returns, every record of this and earlier batches survives a power cut. Without sync, the
 * batch may survive whole, in part (a prefix of its records) or not at all. Creating and
 * deleting segments is followed by an fsync of the directory. If an fsync fails, the kernel may
 * already have thrown the dirty pages away (PostgreSQL's "fsyncgate"), so retrying could report
 * success for lost data: the WAL refuses every later write and the node must restart and
 * recover from what is really on disk.
 *
 * <p>Threading: not thread-safe; the node's loop owns it. Every method may block on disk I/O.
 */
public final class Wal implements AutoCloseable {

  /**
   * @param segmentBytes size at which a segment is preallocated and rolled
   * @param log where recovery reports what it repaired (torn tails); one line per call
   */
  public record Options(long segmentBytes, Consumer<String> log) {
    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;

    public Options {
      // A segment is read whole into one array at recovery, hence the upper bound; the lower
      // one leaves room for the header and leading records.
      if (segmentBytes < 128 || segmentBytes > (1L << 30)) {
        throw new IllegalArgumentException("segmentBytes must be in [128, 1 GiB]: "
            + segmentBytes);
      }
    }

    public static Options defaults() {
      return new Options(DEFAULT_SEGMENT_BYTES, System.err::println);
    }

    public Options withSegmentBytes(long bytes) {
      return new Options(bytes, log);
    }

    public Options withLog(Consumer<String> sink) {
      return new Options(segmentBytes, sink);
    }
  }

  /**
   * What the WAL held at open: the latest hard state and snapshot marker (index 0 if none), and
   * the entries after the snapshot, in index order and contiguous.
   */
  public record Recovered(HardState hardState, SnapshotMetadata snapshot, List<Entry> entries) {}

  private final WalFiles files;
  private final Options options;
  private final LogState state = new LogState(true);
  private final List<SegmentName> segments = new ArrayList<>();
  // The last segment's file name, made once per segment rather than on every write.
  private SegmentName currentName;
  private String currentFile;
  private Recovered recovered;
  private long offset; // where the next record goes in the last segment
  private boolean segmentHasBatches; // false while the last segment holds only its header
  private IOException failed; // set once a write or fsync failed: no more writes
  private MemberIdentity identity; // whose WAL this is; null until recorded

  private Wal(WalFiles files, Options options) {
    this.files = files;
    this.options = options;
  }

  /** Opens (creating if empty) the WAL in {@code dir} and recovers its state. */
  public static Wal open(Path dir, Options options) throws IOException {
    return open(new NioWalFiles(dir), options);
  }

  /** Opens the WAL over {@code files}; see {@link #recovered()} for what it held. */
  public static Wal open(WalFiles files, Options options) throws IOException {
    Wal w = new Wal(files, options);
    w.recover();
    return w;
  }

  public Recovered recovered() {
    return recovered;
  }

  /** Whose WAL this is, as its metadata record says; empty if none was recorded yet. */
  public Optional<MemberIdentity> identity() {
    return Optional.ofNullable(identity);
  }

  /**
   * Records whose WAL this is (synced): a WAL that has none yet, i.e. new or written by an
   * older version. Every later segment starts with it.
   *
   * @throws IllegalStateException if the WAL already belongs to someone else
   */
  public void saveIdentity(MemberIdentity id) throws IOException {
    checkUsable();
    if (identity != null) {
      if (!identity.equals(id)) {
        throw new IllegalStateException("the WAL belongs to " + identity + ", not " + id);
      }
      return;
    }
    // Set first: if this write starts a new segment, that segment opens with the record too
    // (a second, equal copy after it is harmless).
    identity = id;
    writeBatch(Records.frameAll(List.of(), Records.METADATA, metadata(id), Records.METADATA), true);
  }

  private static WalMetadata metadata(MemberIdentity id) {
    return WalMetadata.newBuilder().setMemberId(id.memberId()).setClusterId(id.clusterId())
        .build();
  }

  /** The segments on disk, oldest first. */
  public List<String> segmentFiles() {
    return segments.stream().map(SegmentName::file).toList();
  }

  // ---------------------------------------------------------------- recovery

  private void recover() throws IOException {
    List<SegmentName> found = listSegments(files);
    if (found.isEmpty()) {
      startSegment(new SegmentName(1, 1), false);
    } else {
      for (int i = 0; i < found.size(); i++) {
        replaySegment(found.get(i), i == found.size() - 1);
      }
      checkCovered(found.get(0));
    }
    recovered = new Recovered(state.hardState(), state.snapshot(), List.copyOf(state.entries()));
    state.stopKeepingEntries();
  }

  /** The segments in the directory, in order, after checking that none is missing. */
  static List<SegmentName> listSegments(WalFiles files) throws IOException {
    List<SegmentName> found = new ArrayList<>();
    for (String f : files.list()) {
      Optional<SegmentName> n = SegmentName.parse(f);
      if (n.isPresent()) {
        found.add(n.get());
      } else if (f.endsWith(".wal")) {
        throw new WalCorruptException(files.describe(f), -1, "not a valid segment name");
      }
    }
    found.sort(null);
    for (int i = 1; i < found.size(); i++) {
      long prev = found.get(i - 1).seq();
      if (found.get(i).seq() != prev + 1) {
        throw new WalCorruptException(files.describe(found.get(i).file()), -1,
            "segment(s) with sequence " + (prev + 1) + ".." + (found.get(i).seq() - 1)
                + " are missing between " + found.get(i - 1) + " and " + found.get(i));
      }
    }
    return found;
  }

  private void replaySegment(SegmentName name, boolean last) throws IOException {
    String where = files.describe(name.file());
    if (!segments.isEmpty() && name.firstIndex() != state.lastIndex() + 1) {
      throw new WalCorruptException(where, -1, "the segment starts at index "
          + name.firstIndex() + " but the segments before it end at index " + state.lastIndex()
          + ", so records are missing (was a segment truncated or replaced?)");
    }
    byte[] data = files.readAll(name.file());
    if (segments.isEmpty()) {
      state.startAt(name.firstIndex(), Records.prevTerm(data));
    }
    long prevTerm = state.lastTerm() < 0 ? Records.prevTerm(data) : state.lastTerm();
    byte[] header = Records.header(name.seq(), name.firstIndex(), prevTerm);
    if (!Records.headerMatches(data, header)) {
      if (last && Records.tornHeader(data, header)) {
        options.log().accept("WAL: " + where + " has a torn header (crash while opening it); "
            + "dropped " + Records.endOfNonZero(data, 0) + " bytes and started it afresh");
        startSegment(name, true);
        return;
      }
      throw new WalCorruptException(where, 0, "bad segment header (wrong magic, version, "
          + "sequence, first index or previous term)");
    }
    SegmentScan scan = SegmentScan.scan(data);
    for (int i = 0; i < scan.records.size(); i++) {
      SegmentScan.Rec r = scan.records.get(i);
      if (r.type() == Records.SEAL && i != scan.records.size() - 1) {
        throw new WalCorruptException(where, r.offset(), "a seal record with records after it");
      }
      apply(r, where);
    }
    segments.add(name);
    offset = scan.end;
    segmentHasBatches = scan.records.size() > leadingRecords(scan);
    checkTail(scan, data, where, last, name);
    checkSeal(scan, where, last, name);
  }

  /** The records {@link #startSegment} wrote: metadata (once known), marker, hard state. */
  private static int leadingRecords(SegmentScan scan) {
    boolean meta = !scan.records.isEmpty() && scan.records.get(0).type() == Records.METADATA;
    return meta ? 3 : 2;
  }

  /** Only the newest segment may lack its seal; a sealed newest one was mid-roll at a crash. */
  private void checkSeal(SegmentScan scan, String where, boolean last, SegmentName name)
      throws IOException {
    List<SegmentScan.Rec> recs = scan.records;
    boolean sealed = !recs.isEmpty() && recs.get(recs.size() - 1).type() == Records.SEAL;
    if (!last && !sealed) {
      throw new WalCorruptException(where, scan.end, "the segment ends without its seal record, "
          + "so it was cut short (truncated?)");
    }
    if (last && sealed) {
      startSegment(new SegmentName(name.seq() + 1, state.lastIndex() + 1), false);
    }
  }

  private void apply(SegmentScan.Rec r, String where) throws IOException {
    try {
      switch (r.type()) {
        case Records.ENTRY -> {
          Entry e = Entry.parseFrom(r.payload());
          String problem = state.checkAppend(e);
          if (problem != null) {
            throw new WalCorruptException(where, r.offset(), problem);
          }
          state.append(e);
        }
        case Records.HARD_STATE -> state.setHardState(HardState.parseFrom(r.payload()));
        case Records.SEAL -> { }
        case Records.METADATA -> replayIdentity(WalMetadata.parseFrom(r.payload()), where, r);
        case Records.SNAPSHOT -> state.applySnapshot(SnapshotMetadata.parseFrom(r.payload()), true);
        default -> state.applySnapshot(SnapshotMetadata.parseFrom(r.payload()), false);
      }
    } catch (InvalidProtocolBufferException e) {
      throw new WalCorruptException(where, r.offset(), "the " + Records.typeName(r.type())
          + " record passes its CRC but is not valid protobuf (" + e.getMessage() + ")");
    }
  }

  private void replayIdentity(WalMetadata m, String where, SegmentScan.Rec r)
      throws IOException {
    MemberIdentity id;
    try {
      id = new MemberIdentity(m.getMemberId(), m.getClusterId());
    } catch (IllegalArgumentException e) {
      throw new WalCorruptException(where, r.offset(), "a metadata record with zero ids");
    }
    if (identity != null && !identity.equals(id)) {
      throw new WalCorruptException(where, r.offset(), "the metadata record says the WAL "
          + "belongs to " + id + " but earlier records say " + identity + ": two members "
          + "wrote this WAL, so it cannot be trusted; remove this member's data directory and "
          + "add the member back empty, or restore it from a backup");
    }
    identity = id;
  }

  /** Handles what follows the last good record: nothing, a torn tail, or corruption. */
  private void checkTail(SegmentScan scan, byte[] data, String where, boolean last,
      SegmentName name) throws IOException {
    boolean junkAfterEnd = scan.problem == null && !Records.zeros(data, scan.end, data.length);
    if (scan.problem == null && !junkAfterEnd) {
      return;
    }
    // Every batch goes into a file made large enough for it, so no record this WAL wrote is
    // longer than its file: such a length is a flipped bit, not a torn write, and the records
    // after it must not be dropped with it.
    if (!last || scan.longerThanFile
        || (scan.problem != null && !scan.problemLooksTorn(data))) {
      throw new WalCorruptException(where, scan.end, scan.problem != null ? scan.problem
          + (last ? ", and data follows it" : " in a segment that is not the last")
          : "non-zero bytes after the end of the records in a segment that is not the last");
    }
    int dropped = Records.endOfNonZero(data, scan.end) - scan.end;
    options.log().accept("WAL: torn tail in " + where + " at byte offset " + scan.end + " ("
        + (scan.problem != null ? scan.problem : "bytes after the end marker")
        + "): dropped " + dropped + " bytes of a write that was never fsynced");
    // Re-zero the space so that a later, shorter record cannot be followed by stale bytes.
    files.setLength(name.file(), scan.end);
    files.setLength(name.file(), Math.max(data.length, options.segmentBytes()));
    files.force(name.file());
  }

  /** Entries below the first segment's start must be covered by a snapshot marker. */
  private void checkCovered(SegmentName first) throws IOException {
    if (state.baseIndex() > state.snapshot().getIndex()) {
      throw new WalCorruptException(files.describe(first.file()), -1, "entries "
          + (state.snapshot().getIndex() + 1) + ".." + state.baseIndex() + " are missing: older "
          + "segments were deleted but no snapshot marker covers them");
    }
  }

  // ---------------------------------------------------------------- writing

  /**
   * Appends {@code entries} (replacing any existing entries from the first one's index on), then
   * {@code hardState} if not null, in that order, as {@code Ready} asks. With {@code sync}, one
   * fsync makes this batch and every earlier one durable before returning.
   *
   * @throws IllegalArgumentException if the entries are not contiguous or leave a gap
   * @throws IllegalStateException if an earlier write or fsync failed
   */
  public void save(HardState hardState, List<Entry> entries, boolean sync) throws IOException {
    checkUsable();
    checkEntries(entries);
    if (entries.isEmpty() && hardState == null) {
      if (sync) {
        guarded(() -> files.force(current()));
      }
      return;
    }
    writeBatch(Records.frameAll(entries, Records.ENTRY, hardState, Records.HARD_STATE), sync);
    entries.forEach(state::append);
    if (hardState != null) {
      state.setHardState(hardState);
    }
  }

  /**
   * Records that a snapshot up to {@code meta.index} is safely stored elsewhere; always synced,
   * because {@link #releaseBefore} may delete the segments it covers.
   */
  public void saveSnapshotMarker(SnapshotMetadata meta) throws IOException {
    checkUsable();
    boolean keep = state.holds(meta);
    byte type = keep ? Records.SNAPSHOT : Records.SNAPSHOT_RESET;
    writeBatch(Records.frameAll(List.of(), type, meta, type), true);
    state.applySnapshot(meta, keep);
  }

  /**
   * Deletes the oldest segments whose entries are all at or below {@code index} and below the
   * latest snapshot marker: the snapshot now stands in for them. The last segment stays.
   */
  public void releaseBefore(long index) throws IOException {
    checkUsable();
    long cutoff = Math.min(index, state.snapshot().getIndex());
    boolean deleted = false;
    // Entries still live in a segment are below the next segment's first index. The newest
    // segment always holds the current marker and hard state (as leading records or later), so
    // the older ones can go without losing either.
    while (segments.size() > 1 && segments.get(1).firstIndex() - 1 <= cutoff) {
      String f = segments.get(0).file();
      guarded(() -> files.delete(f)); // oldest first, so a crash never leaves a gap
      segments.remove(0);
      deleted = true;
    }
    if (deleted) {
      guarded(files::syncDir);
    }
  }

  /** Makes everything written durable and releases the files. */
  @Override
  public void close() throws IOException {
    if (failed == null) {
      guarded(() -> files.force(current()));
    }
    if (files instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (IOException e) {
        throw e;
      } catch (Exception e) {
        throw new IOException(e);
      }
    }
  }

  private void checkEntries(List<Entry> entries) {
    for (int i = 1; i < entries.size(); i++) {
      if (entries.get(i).getIndex() != entries.get(i - 1).getIndex() + 1) {
        throw new IllegalArgumentException("entries are not contiguous at index "
            + entries.get(i).getIndex());
      }
    }
    if (!entries.isEmpty()) {
      String problem = state.checkAppend(entries.get(0));
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
    }
  }

  private void writeBatch(byte[] records, boolean sync) throws IOException {
    int size = records.length;
    long end = offset + size;
    guarded(() -> {
      if (end > options.segmentBytes() && segmentHasBatches) {
        roll();
      }
      files.write(current(), offset, records);
      offset += size;
      segmentHasBatches = true;
      if (sync) {
        files.force(current());
      }
    });
  }

  private void roll() throws IOException {
    // The finished segment must be durable before the next one is: recovery treats damage in
    // any segment but the last as corruption, not as a torn tail.
    ByteBuffer seal = ByteBuffer.allocate(Records.framedSize(new byte[0]));
    Records.frame(seal, Records.SEAL, new byte[0]);
    files.write(current(), offset, seal.array());
    files.force(current());
    SegmentName last = segments.get(segments.size() - 1);
    startSegment(new SegmentName(last.seq() + 1, state.lastIndex() + 1), false);
  }

  /** Writes a segment's header and leading records, preallocates it, and makes it durable. */
  private void startSegment(SegmentName name, boolean exists) throws IOException {
    if (exists) {
      files.setLength(name.file(), 0);
    } else {
      files.create(name.file());
    }
    byte[] meta = identity == null ? null : metadata(identity).toByteArray();
    byte[] snap = state.snapshot().toByteArray();
    byte[] hs = state.hardState().toByteArray();
    ByteBuffer buf = ByteBuffer.allocate(Records.HEADER_BYTES + Records.framedSize(snap)
        + Records.framedSize(hs) + (meta == null ? 0 : Records.framedSize(meta)));
    buf.put(Records.header(name.seq(), name.firstIndex(), Math.max(0, state.lastTerm())));
    if (meta != null) {
      Records.frame(buf, Records.METADATA, meta);
    }
    Records.frame(buf, Records.SNAPSHOT, snap);
    Records.frame(buf, Records.HARD_STATE, hs);
    files.write(name.file(), 0, buf.array());
    files.setLength(name.file(), Math.max(options.segmentBytes(), buf.capacity()));
    files.force(name.file());
    files.syncDir();
    segments.add(name);
    offset = buf.capacity();
    segmentHasBatches = false;
  }

  private String current() {
    SegmentName last = segments.get(segments.size() - 1);
    if (last != currentName) {
      currentFile = last.file();
      currentName = last;
    }
    return currentFile;
  }

  private interface Io {
    void run() throws IOException;
  }

  /** Runs a write-side operation; on failure the WAL refuses all later writes (fsyncgate). */
  private void guarded(Io io) throws IOException {
    try {
      io.run();
    } catch (IOException | RuntimeException e) {
      if (failed == null) {
        failed = e instanceof IOException io2 ? io2 : new IOException(e);
      }
      throw e;
    }
  }

  private void checkUsable() {
    if (failed != null) {
      throw new IllegalStateException("the WAL refuses writes after an earlier I/O failure ("
          + failed.getMessage() + "): unforced data may be lost, so restart the node and let "
          + "it recover from disk", failed);
    }
  }
}
