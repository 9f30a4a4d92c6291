package raft.runtime;

import java.util.List;
import raft.core.ReadState;
import raft.core.ReadyPipeline;
import raft.core.SoftState;
import raft.pb.Entry;
import raft.pb.Snapshot;

/**
 * The state machine's side of the {@link ReadyPipeline}, on the Raft loop: committed entries
 * and snapshots go to the apply thread, confirmed reads to their waiters, leader changes to the
 * listeners. Nothing here blocks the loop.
 */
final class ToApplier implements ReadyPipeline.StateMachineQueue {
  private final Applier applier;
  private final ReadWaiters reads;
  private final LeaderNotifier leaders;
  private final RuntimeMetrics metrics;

  ToApplier(Applier applier, ReadWaiters reads, LeaderNotifier leaders,
      RuntimeMetrics metrics) {
    this.metrics = metrics;
    this.applier = applier;
    this.reads = reads;
    this.leaders = leaders;
  }

  @Override
  public void apply(Snapshot snapshot, List<Entry> committed) {
    applier.enqueueBatch(snapshot, committed);
  }

  @Override
  public void read(ReadState rs) {
    reads.confirmed(rs);
  }

  /** Observed before any of them is answered, so a reply never precedes its count. */
  @Override
  public void reads(List<ReadState> confirmed) {
    metrics.readIndexBatch(confirmed.size());
    ReadyPipeline.StateMachineQueue.super.reads(confirmed);
  }

  @Override
  public void softState(SoftState s) {
    leaders.softState(s);
  }
}
