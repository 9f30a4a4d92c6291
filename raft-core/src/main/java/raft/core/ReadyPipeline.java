package raft.core;

import java.util.ArrayDeque;
import java.util.List;
import raft.log.MemoryStorage;
import raft.pb.Entry;
import raft.pb.Message;
import raft.pb.Snapshot;

/**
 * How a {@link Ready} is carried out: the one place that says what may overlap with what. A
 * real member ({@code raft.runtime.NodeRuntime}) and the simulator both run it; they differ only
 * in what stands behind {@link Disk}, {@link Network} and {@link StateMachineQueue}.
 *
 * <p>For each Ready, in this order:
 * <ol>
 *   <li>tell the observer of a new leader or role;</li>
 *   <li>send {@link Ready#messages} at once: a leader's appends travel while its own write is
 *       in flight (thesis §10.2.1);</li>
 *   <li>hand committed entries and confirmed reads to the state machine's queue (they are
 *       durable already, so applying overlaps the write);</li>
 *   <li>hand the writes to the {@link Disk} (asynchronous: the caller goes on stepping,
 *       ticking and sending while they are written);</li>
 *   <li>{@link RaftNode#advance}.</li>
 * </ol>
 * When the disk reports a write durable ({@link #written}), and only then: a snapshot it held
 * goes to the state machine, {@link Ready#afterPersist} (acknowledgements and votes) are sent,
 * and {@link RaftNode#persisted} lets a leader count itself and a candidate its own vote.
 *
 * <p>Not thread-safe: the caller runs it on the node's own loop, including {@link #written}.
 */
public final class ReadyPipeline {

  /** Storage: writes in the order given, each after every earlier one. */
  public interface Disk {
    /**
     * Writes {@code w}'s snapshot, entries and hard state (durably if {@code mustSync}), after
     * every earlier write; then, on the node's loop, call {@link ReadyPipeline#written}.
     */
    void write(Write w);
  }

  /** The transport; it may drop or reorder messages. */
  public interface Network {
    void send(Message m);
  }

  /** The state machine's side: applies in order, on its own time. */
  public interface StateMachineQueue {
    /** Restores {@code snapshot} if not null, then applies {@code committed}, in order. */
    void apply(Snapshot snapshot, List<Entry> committed);

    /** §6.4: serve the read once applied reaches {@code rs.index()}. */
    void read(ReadState rs);

    /**
     * The reads one Ready confirmed together (one round of heartbeats, §6.4), in order; by
     * default each is {@link #read}. Overridden to see the batch as a whole.
     */
    default void reads(List<ReadState> confirmed) {
      for (ReadState rs : confirmed) {
        read(rs);
      }
    }

    /** The leader or this member's role changed. */
    default void softState(SoftState s) { }
  }

  /** One Ready's writes, handed to the {@link Disk}; its identity is the Ready's. */
  public record Write(Ready ready) {}

  private final RaftNode node;
  private final Disk disk;
  private final Network net;
  private final StateMachineQueue sm;
  private final ArrayDeque<Write> durable = new ArrayDeque<>();
  private boolean draining;

  public ReadyPipeline(RaftNode node, Disk disk, Network net, StateMachineQueue sm) {
    this.node = node;
    this.disk = disk;
    this.net = net;
    this.sm = sm;
  }

  /**
   * The subset that test harnesses use: every write goes to {@code storage} (memory) and is
   * durable at once, so a Ready is carried out whole before the next input. The order within
   * a Ready (send, write, then acknowledge) is the same as a real member's.
   */
  public static ReadyPipeline synchronous(RaftNode node, MemoryStorage storage, Network net,
      StateMachineQueue sm) {
    ReadyPipeline[] self = new ReadyPipeline[1];
    self[0] = new ReadyPipeline(node, w -> {
      writeTo(storage, w.ready());
      self[0].written(w);
    }, net, sm);
    return self[0];
  }

  /** Step 2 of {@link Ready}, on a memory storage: the snapshot, the entries, the hard state. */
  public static void writeTo(MemoryStorage storage, Ready rd) {
    if (rd.snapshot() != null) {
      storage.applySnapshot(rd.snapshot());
    }
    storage.append(rd.entries());
    if (rd.hardState() != null) {
      storage.setHardState(rd.hardState());
    }
  }

  /**
   * Carries out every Ready the node has now, and finishes every write reported durable.
   * Re-entrant calls (a disk that reports at once) only queue: one Ready is handed over
   * (advanced) before anything it caused is looked at.
   */
  public void drain() {
    if (draining) {
      return;
    }
    draining = true;
    try {
      while (true) {
        Write w = durable.poll();
        if (w != null) {
          finish(w);
        } else if (node.hasReady()) {
          handOver(node.ready());
        } else {
          return;
        }
      }
    } finally {
      draining = false;
    }
  }

  /**
   * Carries out one Ready that the caller took from the node itself (tests that look at it),
   * and finishes the writes that the disk reported durable meanwhile.
   */
  public void carryOut(Ready rd) {
    if (draining) {
      throw new IllegalStateException("carryOut inside drain");
    }
    draining = true;
    try {
      handOver(rd);
      for (Write w; (w = durable.poll()) != null; ) {
        finish(w);
      }
    } finally {
      draining = false;
    }
  }

  private void handOver(Ready rd) {
    if (rd.softState() != null) {
      sm.softState(rd.softState());
    }
    for (Message m : rd.messages()) {
      net.send(m);
    }
    // A snapshot to install is applied once it is durable (written), and so is all after it.
    if (rd.snapshot() == null && !rd.committedEntries().isEmpty()) {
      sm.apply(null, rd.committedEntries());
    }
    if (!rd.readStates().isEmpty()) {
      sm.reads(rd.readStates());
    }
    if (rd.needsStorage()) {
      disk.write(new Write(rd));
    }
    node.advance(rd);
  }

  /**
   * The disk made {@code w} (and every earlier write) durable. Finishes it (see {@link #finish})
   * and drains the Readys that this made.
   */
  public void written(Write w) {
    durable.add(w);
    drain();
  }

  /** Now, and not before, the member acknowledges, votes and counts itself (Figure 2). */
  private void finish(Write w) {
    Ready rd = w.ready();
    if (rd.snapshot() != null) {
      sm.apply(rd.snapshot(), rd.committedEntries());
    }
    node.persisted(rd);
    for (Message m : rd.afterPersist()) {
      net.send(m);
    }
  }
}
