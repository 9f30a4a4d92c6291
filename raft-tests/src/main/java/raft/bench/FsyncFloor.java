package raft.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The raw fsync floor of the disk the benchmark directory is on: append one small record
 * ({@value #RECORD_BYTES} bytes, about one small WAL entry record) with a positional write and
 * force it, once per op. No WAL code runs, so this is the most a durable log on this disk could
 * do with one fsync per append; {@link WalAppend} is measured against it.
 *
 * <p>{@code force}: {@code data} is {@code force(false)} (fdatasync: data and size, what the WAL
 * uses); {@code all} is {@code force(true)} (fsync: also the mtime and other metadata).
 * {@code file}: {@code zeroed} overwrites blocks that were written in full at setup, the true
 * floor; {@code sparse} appends into a file that was only extended (as the WAL preallocates its
 * segments), so the file system also allocates a block every 4 KiB and must journal that.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FsyncFloor {
  static final int RECORD_BYTES = 128;
  /** Like a WAL segment; at a few thousand fsyncs/s a trial never wraps around. */
  static final long FILE_BYTES = 64L << 20;

  @Param({"data", "all"})
  public String force;

  @Param({"zeroed", "sparse"})
  public String file;

  private Path dir;
  private FileChannel channel;
  private final ByteBuffer record = ByteBuffer.allocate(RECORD_BYTES);
  private long position;
  private boolean metadata;

  @Setup(Level.Trial)
  public void open() throws IOException {
    dir = BenchDirs.create("fsync-floor-");
    channel = FileChannel.open(dir.resolve("floor.dat"), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE);
    if (file.equals("zeroed")) {
      fill(channel);
    } else {
      channel.write(ByteBuffer.wrap(new byte[1]), FILE_BYTES - 1);
    }
    channel.force(true);
    metadata = force.equals("all");
    for (int i = 0; i < RECORD_BYTES; i++) {
      record.put(i, (byte) (i * 31 + 7)); // non-zero, like a real record
    }
  }

  /** Writes every block once so that later writes only overwrite allocated space. */
  private static void fill(FileChannel ch) throws IOException {
    ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
    for (long pos = 0; pos < FILE_BYTES; pos += chunk.capacity()) {
      chunk.clear();
      while (chunk.hasRemaining()) {
        ch.write(chunk, pos + chunk.position());
      }
    }
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    if (channel != null) {
      channel.close();
    }
    BenchDirs.delete(dir);
  }

  /** One durable append: write the record at the end of what was written, then force. */
  @Benchmark
  public void appendAndForce() throws IOException {
    if (position + RECORD_BYTES > FILE_BYTES) {
      position = 0; // never reached in a normal run; keeps a long one inside the file
    }
    record.clear();
    while (record.hasRemaining()) {
      channel.write(record, position + record.position());
    }
    position += RECORD_BYTES;
    channel.force(metadata);
  }
}
