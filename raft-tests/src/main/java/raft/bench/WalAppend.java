package raft.bench;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import raft.pb.Entry;
import raft.pb.HardState;
import raft.storage.wal.Wal;

/**
 * Durable WAL appends as the node's loop does them: {@code Wal.save(hardState, entries, true)},
 * one fsync per call however many entries it carries (group commit). Scores are entries per
 * second ({@link OperationsPerInvocation} is the batch size); divide by the batch size for the
 * fsyncs per second. The hard state's commit index moves with each batch, as in a {@code Ready}.
 *
 * <p>Each trial opens a fresh WAL with the default 64 MiB segments, so rolls to a new segment
 * (seal, fsync, create, fsync file and directory) are part of the cost when a run is long
 * enough to fill one.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class WalAppend {
  /** 100 B like a small etcd put; 256 B matches the value size of the KV benchmark. */
  @Param({"100", "256"})
  public int payload;

  private Path dir;
  private Wal wal;
  private ByteString data;
  private long lastIndex;

  @Setup(Level.Trial)
  public void open() throws IOException {
    dir = BenchDirs.create("wal-append-");
    wal = Wal.open(dir, Wal.Options.defaults().withLog(line -> { }));
    byte[] bytes = new byte[payload];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 31 + 7);
    }
    data = ByteString.copyFrom(bytes);
    lastIndex = 0;
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    if (wal != null) {
      wal.close();
    }
    BenchDirs.delete(dir);
  }

  @Benchmark
  @OperationsPerInvocation(1)
  public void batch1() throws IOException {
    append(1);
  }

  @Benchmark
  @OperationsPerInvocation(10)
  public void batch10() throws IOException {
    append(10);
  }

  @Benchmark
  @OperationsPerInvocation(100)
  public void batch100() throws IOException {
    append(100);
  }

  private void append(int batch) throws IOException {
    List<Entry> entries = new ArrayList<>(batch);
    for (int i = 0; i < batch; i++) {
      entries.add(Entry.newBuilder().setTerm(1).setIndex(++lastIndex).setData(data).build());
    }
    HardState hs = HardState.newBuilder().setTerm(1).setVote(1).setCommit(lastIndex).build();
    wal.save(hs, entries, true);
  }
}
