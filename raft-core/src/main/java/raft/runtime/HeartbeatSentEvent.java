package raft.runtime;

import jdk.jfr.Category;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A JFR event per heartbeat a leader hands to the transport, so that a recording shows the
 * intervals between heartbeats under load (scripts/bench-loop): a heartbeat that waits behind
 * an fsync shows as a long interval. Costs nothing unless a recording enables it.
 */
@Name("raft.HeartbeatSent")
@Label("Heartbeat sent")
@Category("Raft")
@StackTrace(false)
final class HeartbeatSentEvent extends Event {
  @Label("To")
  long to;

  @Label("Term")
  long term;

  static void emit(long to, long term) {
    HeartbeatSentEvent e = new HeartbeatSentEvent();
    if (e.isEnabled()) {
      e.to = to;
      e.term = term;
      e.commit();
    }
  }
}
