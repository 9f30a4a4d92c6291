package raft.bench;

import com.google.protobuf.ByteString;
import java.util.Collections;
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
import raft.core.RaftNode;

/**
 * Entries committed per second by the pure protocol core ({@link RaftNode}) of a 3- or 5-member
 * {@link CoreCluster}: no disk, no network, no threads, so this is the ceiling the core puts on
 * the server, whatever the I/O costs on top. Each op proposes {@code batch} entries of
 * {@value #PAYLOAD} bytes on the leader in one {@code proposeAll}, as the runtime does for
 * requests that arrive between two Readys, then pumps Readys and messages until the cluster is
 * quiet: the leader committed and applied them and the followers applied them too. Scores are
 * entries per second ({@link OperationsPerInvocation} is the batch size).
 *
 * <p>Nobody ticks during measurement: heartbeats and elections are once per 100 ms or so in a
 * real cluster, negligible next to thousands of commits per tick.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CoreCommit {
  /** The value size of the KV benchmark; the entry adds no request envelope here. */
  static final int PAYLOAD = 256;

  @Param({"3", "5"})
  public int members;

  private CoreCluster cluster;
  private CoreCluster.Member leader;
  private ByteString data;

  @Setup(Level.Trial)
  public void elect() {
    cluster = new CoreCluster(members, 42);
    leader = cluster.electLeader(1_000);
    byte[] bytes = new byte[PAYLOAD];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 31 + 7);
    }
    data = ByteString.copyFrom(bytes);
  }

  /** @return the leader's applied index afterwards */
  @Benchmark
  @OperationsPerInvocation(1)
  public long batch1() {
    return commit(1);
  }

  /** @return the leader's applied index afterwards */
  @Benchmark
  @OperationsPerInvocation(64)
  public long batch64() {
    return commit(64);
  }

  private long commit(int batch) {
    RaftNode node = leader.node;
    long target = node.raft().log().lastIndex() + batch;
    if (!node.proposeAll(Collections.nCopies(batch, data))) {
      throw new IllegalStateException("the leader dropped a proposal");
    }
    cluster.pump();
    if (leader.applied != target) { // cheap, and a wrong benchmark is worse than a slow one
      throw new IllegalStateException("applied " + leader.applied + ", expected " + target);
    }
    return leader.applied;
  }

  CoreCluster cluster() {
    return cluster;
  }

  CoreCluster.Member leader() {
    return leader;
  }
}
