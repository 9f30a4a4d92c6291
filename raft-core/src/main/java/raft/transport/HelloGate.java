package raft.transport;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import raft.util.RateLimitedLog;

/**
 * Who may hold a member's memory through its peer port, across every event loop.
 *
 * <p>Until its Hello a connection may send only small frames ({@link Frames#HELLO_MAX_BYTES}),
 * must say it within {@link #timeout}, and shares a capped number of places: when one more
 * would pass the cap, the oldest waiting connection is closed rather than the new one refused.
 * A real peer says Hello as soon as it connects, so it is never the oldest for long, and a crowd
 * of silent connections can neither hold memory nor lock the real peers out.
 *
 * <p>A Hello must come from a member of this cluster's configuration, and each member may hold
 * {@link #PER_MEMBER} connections at once (it opens two: messages and snapshots; the rest is
 * room for reconnects whose old connection has not been noticed dead yet); one more closes that
 * member's oldest. So what connections can make a member hold after their Hellos is bounded
 * too: members x PER_MEMBER x the frame limit (twice that while a buffer grows).
 */
final class HelloGate {
  static final int PER_MEMBER = 4;

  final Duration timeout;
  /** For refusals, which a stranger can provoke at will: rate-limited. */
  final Consumer<String> refusals;
  private final int maxWaiting;
  // Replaced whole when the configuration changes (PeerTransport#updatePeers).
  private volatile Set<Long> members;
  private volatile Set<Long> removed = Set.of();
  private final ArrayDeque<Channel> waiting = new ArrayDeque<>();
  private final Map<Long, ArrayDeque<Channel>> admitted = new HashMap<>();

  HelloGate(int maxWaiting, Duration timeout, Set<Long> members, Consumer<String> log) {
    this.maxWaiting = maxWaiting;
    this.timeout = timeout;
    this.members = Set.copyOf(members);
    this.refusals = new RateLimitedLog(log, "peer port refusals", 10, 10);
  }

  /** A connection was accepted; it waits for its Hello. May close the oldest waiting one. */
  void enter(Channel ch) {
    Channel evicted = null;
    synchronized (this) {
      if (waiting.size() >= maxWaiting) {
        evicted = waiting.pollFirst();
      }
      waiting.addLast(ch);
    }
    if (evicted != null) {
      refusals.accept("peer " + Frames.hostPort(evicted.remoteAddress()) + " had said no Hello"
          + " when " + maxWaiting + " connections were waiting for theirs (the most allowed);"
          + " closing it, the oldest");
      evicted.close();
    }
  }

  boolean isMember(long id) {
    return members.contains(id);
  }

  /** Removed from the configuration for good: its Hello is answered so (it stops). */
  boolean isRemoved(long id) {
    return removed.contains(id);
  }

  /**
   * The configuration changed: from now on only {@code now} may say Hello; returns the open
   * connections of the members no longer in it, for the caller to close.
   */
  synchronized java.util.List<Channel> update(Set<Long> now, Set<Long> removedNow) {
    members = Set.copyOf(now);
    removed = Set.copyOf(removedNow);
    java.util.List<Channel> gone = new java.util.ArrayList<>();
    admitted.entrySet().removeIf(e -> { // ids are never reused: forget those that left
      if (members.contains(e.getKey())) {
        return false;
      }
      gone.addAll(e.getValue());
      return true;
    });
    return gone;
  }

  /**
   * The connection said a good Hello from {@code member}; false if it is refused. A member
   * over {@link #PER_MEMBER} connections reconnected: its oldest connection from the same
   * address is closed. The Hello is no proof of identity (that needs TLS), so a connection from
   * another address claiming a member that has its share is refused instead: a forger cannot
   * cut the real member's connections (snapshots in flight among them).
   */
  boolean admit(Channel ch, long member) {
    Channel evicted;
    synchronized (this) {
      waiting.remove(ch);
      ArrayDeque<Channel> open = admitted.computeIfAbsent(member, m -> new ArrayDeque<>());
      evicted = open.size() < PER_MEMBER ? null : oldestFrom(open, ch);
      if (open.size() >= PER_MEMBER && evicted == null) {
        return false;
      }
      open.remove(evicted);
      open.addLast(ch);
    }
    if (evicted != null) {
      refusals.accept("member " + member + " opened more than " + PER_MEMBER + " connections;"
          + " closing its oldest, from " + Frames.hostPort(evicted.remoteAddress()));
      evicted.close();
    }
    return true;
  }

  private static Channel oldestFrom(ArrayDeque<Channel> open, Channel ch) {
    for (Channel c : open) {
      if (host(c).equals(host(ch))) {
        return c;
      }
    }
    return null;
  }

  private static Object host(Channel c) {
    return c.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : c.remoteAddress();
  }

  /** The connection closed. */
  synchronized void leave(Channel ch, long member) {
    waiting.remove(ch);
    ArrayDeque<Channel> open = admitted.get(member);
    if (open != null) {
      open.remove(ch);
    }
  }
}
