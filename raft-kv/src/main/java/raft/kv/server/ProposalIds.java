package raft.kv.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ids this member gives its proposals (and its leases), unique for the life of its data
 * directory whatever its clock does.
 *
 * <p>An id is the member id in the top 16 bits and a 48-bit counter below it, as in etcd's
 * {@code idutil.Generator}. etcd seeds the counter from the wall clock at start (milliseconds,
 * shifted left 8 bits), which repeats ids if the clock has stepped back since the last run. A
 * repeat is a wrong answer, not a crash: the apply thread hands an entry's result to whoever
 * waits for its id ({@link RequestTracker}), so an entry proposed before a restart, committed
 * after it (it was still in a leader's log, or forwarded), would answer a new client that drew
 * the same id with the old request's result, and the new client's own result would go nowhere.
 *
 * <p>So the counter also never goes below a bound persisted in the data directory: before
 * handing out ids up to some value, the member records that value ({@value #FILE}, written to a
 * temporary file, fsynced and renamed into place), {@value #BLOCK} ids at a time. At start the
 * counter resumes above the recorded bound, or at the clock's seed if that is higher (a wiped
 * data directory has no bound; there the clock is what etcd relies on too).
 */
final class ProposalIds {
  static final String FILE = "proposal-ids";
  static final long BLOCK = 1 << 20;
  private static final long COUNTER_MASK = 0xFFFF_FFFF_FFFFL;

  private final Path file;
  private final long memberBits;
  private final AtomicLong counter;
  private volatile long reserved; // the counter may reach this value and no further

  private ProposalIds(Path file, long memberId, long start) {
    this.file = file;
    this.memberBits = (memberId & 0xFFFF) << 48;
    this.counter = new AtomicLong(start);
  }

  /** Resumes the ids of the member whose data directory is {@code dataDir}. */
  static ProposalIds open(Path dataDir, long memberId, long nowMillis) throws IOException {
    Path file = dataDir.resolve(FILE);
    long clockSeed = (nowMillis & 0xFF_FFFF_FFFFL) << 8; // etcd's seed
    long recorded = Files.exists(file) ? recorded(file) : 0;
    ProposalIds ids = new ProposalIds(file, memberId, Math.max(clockSeed, recorded));
    ids.reserve(ids.counter.get() + BLOCK);
    return ids;
  }

  private static long recorded(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IOException(file + " holds \"" + text + "\", not the number of the last"
          + " proposal id this member may have used", e);
    }
  }

  /**
   * The next id; every BLOCK ids, first records (and fsyncs) the next bound: one fsync per
   * million proposals, on the proposing thread.
   *
   * @throws UncheckedIOException if the bound cannot be recorded (also reported as fatal)
   */
  long next() {
    long n = counter.incrementAndGet();
    if (n > reserved) {
      synchronized (this) {
        if (n > reserved) {
          try {
            reserve(n + BLOCK);
          } catch (IOException e) {
            // A failed write or fsync is the member's end, as anywhere else (FatalExit); the
            // caller fails this one request.
            UncheckedIOException failed =
                new UncheckedIOException("cannot record proposal ids in " + file, e);
            Thread t = Thread.currentThread();
            t.getUncaughtExceptionHandler().uncaughtException(t, e);
            throw failed;
          }
        }
      }
    }
    return memberBits | (n & COUNTER_MASK);
  }

  private void reserve(long bound) throws IOException {
    Path tmp = file.resolveSibling(FILE + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(ByteBuffer.wrap((bound + "\n").getBytes(StandardCharsets.US_ASCII)));
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
      dir.force(true); // the rename itself must survive a crash
    }
    reserved = bound;
  }
}
