package raft.sim;

import raft.pb.Message;

/**
 * One event of the simulator's queue, ordered by virtual time, then by the order it was
 * scheduled in (so a seed replays byte for byte).
 *
 * @param arg the incarnation for TICK, DISK_*, APPLY; the sender for DELIVER; the peer for
 *     SNAP_OK/FAILED
 */
record SimEvent(long time, long seq, Simulator.Kind kind, int node, int arg, Message msg)
    implements Comparable<SimEvent> {
  @Override
  public int compareTo(SimEvent o) {
    return time != o.time ? Long.compare(time, o.time) : Long.compare(seq, o.seq);
  }
}
