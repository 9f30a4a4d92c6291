package raft.transport;

import io.netty.channel.Channel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Where accepted connections wait for their Hello, across every event loop. Until its Hello a
 * connection may send only small frames ({@link Frames#HELLO_MAX_BYTES}), must say it within
 * {@link #timeout}, and shares a capped number of places: when one more would pass the cap,
 * the oldest waiting connection is closed rather than the new one refused. A real peer says
 * Hello as soon as it connects, so it is never the oldest for long, and a crowd of silent
 * connections can neither hold memory nor lock the real peers out.
 */
final class HelloGate {
  final Duration timeout;
  /** For refusals, which a stranger can provoke at will: rate-limited. */
  final Consumer<String> refusals;
  private final int max;
  private final ArrayDeque<Channel> waiting = new ArrayDeque<>();

  HelloGate(int max, Duration timeout, Consumer<String> log) {
    this.max = max;
    this.timeout = timeout;
    this.refusals = new RateLimitedLog(log, 10, 10);
  }

  /** A connection was accepted; it waits for its Hello. May close the oldest waiting one. */
  void enter(Channel ch) {
    Channel evicted = null;
    synchronized (this) {
      if (waiting.size() >= max) {
        evicted = waiting.pollFirst();
      }
      waiting.addLast(ch);
    }
    if (evicted != null) {
      refusals.accept("peer " + Frames.hostPort(evicted.remoteAddress()) + " had said no Hello"
          + " when " + max + " connections were waiting for theirs (the most allowed); closing"
          + " it, the oldest");
      evicted.close();
    }
  }

  /** The connection said its Hello, or closed. */
  synchronized void leave(Channel ch) {
    waiting.remove(ch);
  }

  synchronized int waiting() {
    return waiting.size();
  }
}
