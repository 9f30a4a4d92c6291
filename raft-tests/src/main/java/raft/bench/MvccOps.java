package raft.bench;

import com.google.protobuf.ByteString;
import java.util.SplittableRandom;
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
import raft.kv.api.etcdserverpb.CompactionRequest;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.PutResponse;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.RangeResponse;
import raft.kv.mvcc.MvccStore;

/**
 * The MVCC store alone ({@link MvccStore}, as the apply thread and the read path call it), on a
 * store pre-filled with {@code keys} keys of {@value #KEY_BYTES} bytes and values of
 * {@value #VALUE_BYTES} bytes: a put of a random existing key, a range of one random key, and a
 * range of {@value #RANGE_KEYS} consecutive keys from a random one. Keys look like the
 * {@code raftkv bench} tool's ({@code 'k'} and the index zero-padded) at {@code --key-size 16}.
 * Scores are requests per second (one op is one request, whatever its size).
 *
 * <p>Puts grow each key's history; the store is compacted to its current revision before each
 * iteration (outside the measurement), as a server's auto-compaction would, so history stays
 * bounded. Requests are built in setup so that only the store is measured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MvccOps {
  static final int KEY_BYTES = 16;
  static final int VALUE_BYTES = 256;
  static final int RANGE_KEYS = 100;

  @Param({"10000", "100000"})
  public int keys;

  private MvccStore store;
  private PutRequest[] puts;
  private RangeRequest[] gets;
  private RangeRequest[] ranges;
  private final SplittableRandom random = new SplittableRandom(42);

  /** The key for index i: 'k' and i zero-padded to {@value #KEY_BYTES} bytes, so keys sort by i. */
  static ByteString key(long i) {
    return ByteString.copyFromUtf8(String.format("k%0" + (KEY_BYTES - 1) + "d", i));
  }

  @Setup(Level.Trial)
  public void fill() {
    byte[] v = new byte[VALUE_BYTES];
    for (int i = 0; i < v.length; i++) {
      v[i] = (byte) ('a' + i % 26);
    }
    ByteString value = ByteString.copyFrom(v);
    ByteString[] k = new ByteString[keys + 1];
    for (int i = 0; i <= keys; i++) {
      k[i] = key(i);
    }
    store = new MvccStore();
    puts = new PutRequest[keys];
    gets = new RangeRequest[keys];
    ranges = new RangeRequest[keys - RANGE_KEYS + 1];
    for (int i = 0; i < keys; i++) {
      puts[i] = PutRequest.newBuilder().setKey(k[i]).setValue(value).build();
      gets[i] = RangeRequest.newBuilder().setKey(k[i]).build();
      store.put(puts[i]);
    }
    for (int i = 0; i < ranges.length; i++) {
      ranges[i] = RangeRequest.newBuilder().setKey(k[i]).setRangeEnd(k[i + RANGE_KEYS]).build();
    }
  }

  @Setup(Level.Iteration)
  public void compactHistory() {
    if (store.currentRevision() > store.compactRevision()) {
      store.compact(CompactionRequest.newBuilder().setRevision(store.currentRevision()).build());
    }
  }

  /** Overwrites a random existing key: one new revision, one more version in its history. */
  @Benchmark
  public PutResponse put() {
    return store.put(puts[random.nextInt(puts.length)]);
  }

  /** Reads one random key at the latest revision. */
  @Benchmark
  public RangeResponse rangeOne() {
    return store.range(gets[random.nextInt(gets.length)]);
  }

  /** Reads {@value #RANGE_KEYS} consecutive keys [key(i), key(i + 100)) at the latest revision. */
  @Benchmark
  public RangeResponse range100() {
    return store.range(ranges[random.nextInt(ranges.length)]);
  }

  MvccStore store() {
    return store;
  }
}
