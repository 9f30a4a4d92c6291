package raft.sim;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.Function;
import raft.core.Config;
import raft.core.Raft;

/** One simulation run: cluster size, seed, length, faults and workload. Same config, same run. */
public final class SimConfig {

  /** The kinds of fault the nemesis may inject. */
  public enum Fault {
    CRASH, PARTITION, DROP,
    /**
     * Membership changes (thesis ch. 4): add a learner and promote it once caught up, remove,
     * replace (remove, then add a fresh id with an empty log), some as one joint change.
     */
    MEMBERS;

    /** Parses the command line's none|crash|partition|drop|members|all (comma-separated). */
    public static Set<Fault> parse(String s) {
      EnumSet<Fault> set = EnumSet.noneOf(Fault.class);
      for (String part : s.split(",")) {
        switch (part.trim()) {
          case "none" -> { }
          case "all" -> set.addAll(EnumSet.allOf(Fault.class));
          case "crash" -> set.add(CRASH);
          case "partition" -> set.add(PARTITION);
          case "drop" -> set.add(DROP);
          case "members" -> set.add(MEMBERS);
          default -> throw new IllegalArgumentException("unknown fault '" + part
              + "': expected none, crash, partition, drop, members or all");
        }
      }
      return set;
    }
  }

  public int nodes = 3;
  public long seed = 1;
  /** Length of the run in ticks (a tick is the heartbeat interval). */
  public long ticks = 10_000;
  public Set<Fault> faults = EnumSet.noneOf(Fault.class);
  /** Faults stop this many ticks before the end, so the run ends healed (liveness). */
  public long healedTail = 300;
  /** Mean ticks between two fault actions. */
  public int faultEveryTicks = 40;
  public int electionTick = 10;
  public int heartbeatTick = 1;
  /** Client proposals per tick, over the whole cluster (Poisson arrivals). */
  public double proposalsPerTick = 2;
  /** Linearizable reads per tick, over the whole cluster. */
  public double readsPerTick = 0.5;
  /** A node snapshots and compacts its log after this many applied entries (0 = never). */
  public int snapshotEvery = 200;
  /** Entries kept after a compaction, so slow followers can often catch up without a snapshot. */
  public int keepAfterSnapshot = 20;
  /**
   * Disk and apply latencies, in time units ({@link Simulator#TICK} per tick; a message takes
   * 2 to 10): each write, fsync and applied batch takes 1 to this many. An fsync as slow as a
   * round trip lets crashes land after a leader's send and before its fsync.
   */
  public int maxWriteDelay = 3;
  public int maxFsyncDelay = 12;
  public int maxApplyDelay = 4;
  public long maxSizePerMsg = 64 * 1024;
  public int maxInflightMsgs = 64;
  public boolean trace;
  /** Record each client proposal's time to acknowledgement (costs a map lookup per apply). */
  public boolean measureLatency;
  /** Nodes (the highest ids) that stay crashed after healing: a minority, for liveness. */
  public int downAfterHeal;
  /** The properties the checker enforces; by default all of them. */
  public Set<String> checks = Set.of(Property.ALL);
  /** Builds each node's protocol state machine; tests substitute deliberately broken ones. */
  public Function<Config, Raft> raftFactory = Raft::new;


  /**
   * Founding members start from a log of ConfChange entries (etcd's Bootstrap) rather than a
   * storage that names the voters; always so with {@link Fault#MEMBERS}, and for scripted
   * membership experiments.
   */
  public boolean bootstrapLog;
  /** With {@link Fault#MEMBERS}: the nemesis keeps between 1 and this many voters. */
  public int maxVoters = 7;

  public boolean bootstrapLog() {
    return bootstrapLog || faults.contains(Fault.MEMBERS);
  }

  /** Set by scripted experiments, whose faults the command line cannot replay: who drove it. */
  public String scriptedBy;

  /** True if {@link #vary} chose the tuning knobs from the seed. */
  public boolean varied;

  /**
   * Derives the tuning knobs (fault rate, load, snapshot frequency, message size, pipeline
   * window, fsync latency) from the seed, so that many seeds explore many shapes of run and one seed still
   * names the whole run: {@code scripts/simulate ... --vary} replays it.
   */
  public SimConfig vary() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed ^ 0x5DEECE66DL);
    faultEveryTicks = 5 + r.nextInt(56);
    proposalsPerTick = 0.5 + r.nextInt(8) / 2.0;
    readsPerTick = r.nextInt(5) / 2.0;
    snapshotEvery = new int[] {0, 30, 200}[r.nextInt(3)];
    keepAfterSnapshot = new int[] {0, 5, 20}[r.nextInt(3)];
    maxSizePerMsg = r.nextBoolean() ? 1 : 64 * 1024; // 1 byte: one entry per append
    maxInflightMsgs = new int[] {1, 4, 64}[r.nextInt(3)];
    maxFsyncDelay = new int[] {1, 12, 40}[r.nextInt(3)]; // 40: slower than a round trip
    if (maxSizePerMsg == 1) {
      // One entry per append: the log's throughput is a few entries per round trip and fsync.
      // A slow fsync would let the load outrun it during the faults, and the backlog would
      // outlast the liveness bound after healing (measuring a queue, not recovery).
      maxFsyncDelay = Math.min(maxFsyncDelay, maxInflightMsgs == 1 ? 1 : 12);
    }
    if (faults.contains(Fault.MEMBERS) && snapshotEvery == 0) {
      // A member that joins with an empty log would otherwise be sent the whole log, one
      // entry per append at worst, reordered by the network: thousands of round trips, each
      // reordering a rejection and a resent window (a real link is ordered; this one is not).
      // A real server snapshots now and then, and a newcomer gets the snapshot and a short tail.
      snapshotEvery = 200;
    }
    varied = true;
    return this;
  }

  @Override
  public String toString() {
    return replayCommand();
  }

  /** The command line that replays this run (for the correct protocol). */
  public String replayCommand() {
    if (scriptedBy != null) {
      return "re-run " + scriptedBy + " with seed " + seed + " (a scripted run: the simulate"
          + " command cannot replay its faults)";
    }
    String f = faults.isEmpty() ? "none"
        : faults.size() == Fault.values().length ? "all"
        : String.join(",", faults.stream().map(x -> x.name().toLowerCase()).toList());
    return "scripts/simulate --nodes " + nodes + " --seed " + seed + " --ticks " + ticks
        + " --faults " + f + (healedTail != 300 ? " --healed-tail " + healedTail : "")
        + (downAfterHeal > 0 ? " --down-after-heal " + downAfterHeal : "")
        + (varied ? " --vary" : "") + " --trace";
  }
}
