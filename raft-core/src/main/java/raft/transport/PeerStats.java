package raft.transport;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import raft.pb.Message;
import raft.pb.MessageType;

/**
 * What the peer transport counts per peer, for the member's metrics (etcd's
 * {@code etcd_network_peer_*}): message bytes written to a peer's connection and delivered from
 * it (a message's protobuf size, as etcd counts {@code m.Size()}; frame headers not included;
 * nothing for a message dropped because the peer is down, slow or cut off by a partition), and
 * round-trip times.
 *
 * <p>Round trip: the time from writing a heartbeat to peer X's connection to receiving X's
 * heartbeat response. Heartbeats leave every heartbeat interval and a follower answers each at
 * once, so this is the network and both event loops, measured all the time at no extra cost
 * (etcd measures its RTT with a separate prober every 5 s instead). Only the latest heartbeat
 * to each peer is remembered: a lost one is forgotten when the next one leaves.
 *
 * <p>Called on the transport's event loops (write and receive); never blocks.
 */
public final class PeerStats {

  /** Told of each measured round trip; must return at once. */
  @FunctionalInterface
  public interface RttObserver {
    void roundTrip(long peer, long nanos);

    /** The peer left the configuration: drop whatever is kept for it. */
    default void forget(long peer) {}
  }

  private final Map<Long, LongAdder> sent = new ConcurrentHashMap<>();
  private final Map<Long, LongAdder> received = new ConcurrentHashMap<>();
  private final Map<Long, Long> heartbeatSentAt = new ConcurrentHashMap<>();
  private volatile RttObserver rtt = (peer, nanos) -> { };

  public void observeRoundTrips(RttObserver o) {
    rtt = o;
  }

  /** Bytes handed to each peer's connection so far, by peer id. */
  public Map<Long, Long> sentBytes() {
    return totals(sent);
  }

  /** Bytes of messages delivered from each peer so far, by peer id. */
  public Map<Long, Long> receivedBytes() {
    return totals(received);
  }

  /** A message was written to its peer's connection. */
  void written(Message m) {
    sent.computeIfAbsent(m.getTo(), k -> new LongAdder()).add(m.getSerializedSize());
    if (m.getType() == MessageType.MSG_HEARTBEAT) {
      heartbeatSentAt.put(m.getTo(), System.nanoTime());
    }
  }

  void received(Message m) {
    received.computeIfAbsent(m.getFrom(), k -> new LongAdder()).add(m.getSerializedSize());
    if (m.getType() == MessageType.MSG_HEARTBEAT_RESP) {
      Long at = heartbeatSentAt.remove(m.getFrom());
      if (at != null) {
        rtt.roundTrip(m.getFrom(), System.nanoTime() - at);
      }
    }
  }

  /**
   * Forgets every peer not in {@code peers} (the configuration changed): each added member
   * brings a new id, so without this the maps, and the observer's series, would grow with
   * every member ever seen. A message in flight from a removed peer may count again once;
   * the next change forgets it.
   */
  void retain(Set<Long> peers) {
    Set<Long> gone = new TreeSet<>();
    for (Map<Long, ?> m : List.of(sent, received, heartbeatSentAt)) {
      m.keySet().stream().filter(id -> !peers.contains(id)).forEach(gone::add);
    }
    for (long id : gone) {
      sent.remove(id);
      received.remove(id);
      heartbeatSentAt.remove(id);
      rtt.forget(id);
    }
  }

  private static Map<Long, Long> totals(Map<Long, LongAdder> counts) {
    Map<Long, Long> out = new TreeMap<>();
    counts.forEach((peer, n) -> out.put(peer, n.sum()));
    return out;
  }
}
