package raft.sim;

import java.util.ArrayList;
import java.util.List;

/** A run's counters, for the summary line and the liveness verdict. */
public final class SimStats {
  public long messages;
  public long elections;
  public long leaders;
  public long reads;
  public long faults;
  public long proposals;
  /** Ticks from healing to the commit of a fresh proposal; -1 if it never committed. */
  public long recoveryTicks = -1;
  /**
   * At healing, the most entries any live node held beyond its commit index: a leader's
   * backlog, which goes ahead of the post-heal proposal in its log.
   */
  public long backlogAtHeal;
  /** Snapshots that followers received from a leader and installed (§7). */
  public long snapshotsInstalled;
  /** True if the run was cut short by the bound on events (a message storm). */
  public boolean runaway;
  /** With {@link SimConfig#measureLatency}: proposal-to-ack times, in time units. */
  public final List<Long> latencies = new ArrayList<>();
  /** Membership changes a leader took, and those it refused (one at a time, and so on). */
  public long confChangesProposed;
  public long confChangesRefused;
  /** Members started with an empty log, and processes stopped for good. */
  public long membersAdded;
  public long membersStopped;
}
