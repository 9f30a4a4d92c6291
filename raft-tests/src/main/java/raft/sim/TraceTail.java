package raft.sim;

import java.util.ArrayList;
import java.util.List;
import raft.pb.Message;

/**
 * The last lines of a run, kept always (cheaply: delivered messages are formatted only when
 * asked), so that a violation can print what led to it.
 */
final class TraceTail {
  private final Object[] ring;
  private final long[] times;
  private final int[] senders;
  private int next;
  private int size;

  TraceTail(int capacity) {
    ring = new Object[capacity];
    times = new long[capacity];
    senders = new int[capacity];
  }

  void add(String line) {
    put(0, 0, line);
  }

  void add(long time, int from, Message m) {
    put(time, from, m);
  }

  private void put(long time, int from, Object o) {
    ring[next] = o;
    times[next] = time;
    senders[next] = from;
    next = (next + 1) % ring.length;
    size = Math.min(size + 1, ring.length);
  }

  List<String> lines() {
    List<String> out = new ArrayList<>();
    for (int k = 0; k < size; k++) {
      int i = (next - size + k + ring.length) % ring.length;
      out.add(ring[i] instanceof Message m
          ? "[tick " + times[i] / Simulator.TICK + "." + times[i] % Simulator.TICK + "]   "
              + describe(senders[i], m)
          : (String) ring[i]);
    }
    return out;
  }

  /** One message in a line: "n1 -> n2 MSG_APP term=3 index=7 logTerm=2 commit=6 entries=2". */
  static String describe(int from, Message m) {
    StringBuilder b = new StringBuilder("n").append(from).append(" -> n").append(m.getTo())
        .append(' ').append(m.getType()).append(" term=").append(m.getTerm());
    if (m.getIndex() != 0 || m.getLogTerm() != 0) {
      b.append(" index=").append(m.getIndex()).append(" logTerm=").append(m.getLogTerm());
    }
    if (m.getCommit() != 0) {
      b.append(" commit=").append(m.getCommit());
    }
    if (m.getEntriesCount() > 0) {
      b.append(" entries=").append(m.getEntriesCount());
    }
    if (m.getReject()) {
      b.append(" reject hint=").append(m.getRejectHint());
    }
    if (m.hasSnapshot()) {
      b.append(" snapshot=").append(m.getSnapshot().getMetadata().getIndex());
    }
    return b.toString();
  }
}
