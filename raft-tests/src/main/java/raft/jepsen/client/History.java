package raft.jepsen.client;

import java.util.ArrayList;
import java.util.List;
import raft.jepsen.history.Op;

/**
 * The run's history, appended to by every client thread. Thread-safe. Process ids are handed
 * out Jepsen style: lane {@code l} starts as process {@code l}, and after an {@code INFO} (the
 * process "crashed": its op may still land) continues as {@code l + lanes}, and so on, so that
 * no process ever has two operations pending.
 */
public final class History {
  private final int lanes;
  private final List<Event> events = new ArrayList<>();

  public History(int lanes) {
    this.lanes = lanes;
  }

  public int lanes() {
    return lanes;
  }

  /** The next process id for a lane whose process {@code process} just crashed. */
  public int nextProcess(int process) {
    return process + lanes;
  }

  public synchronized void add(int lane, Op op, long seenNanos, String workload) {
    events.add(new Event(lane, op, seenNanos, workload));
  }

  public synchronized List<Event> events() {
    return List.copyOf(events);
  }

  /** The register operations (client and final reads), for the linearizability checker. */
  public synchronized List<Op> registerOps() {
    List<Op> ops = new ArrayList<>();
    for (Event e : events) {
      if (!e.workload().equals("set")) {
        ops.add(e.op());
      }
    }
    return ops;
  }
}
