package raft.runtime;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import raft.pb.Message;
import raft.transport.Transport;

/**
 * An in-process network for {@link NodeRuntime} tests: each member's transport hands messages
 * straight to the receiver's inbound callback (which only enqueues, so it never blocks). A
 * member can be cut off: messages to or from it are dropped and reported unreachable.
 */
final class LocalNetwork {
  private final Map<Long, Consumer<Message>> inbound = new ConcurrentHashMap<>();
  private final Set<Long> cut = ConcurrentHashMap.newKeySet();

  /** A transport for member {@code id}; a new one replaces the old (a restart). */
  Transport transport(long id) {
    return new Transport() {
      private volatile boolean closed;
      private volatile LongConsumer unreachable = p -> { };
      private volatile Consumer<Message> in;

      @Override
      public void start(Consumer<Message> in, LongConsumer unreachable) {
        this.unreachable = unreachable;
        this.in = in;
        inbound.put(id, in);
      }

      @Override
      public void send(Message m) {
        Consumer<Message> to = inbound.get(m.getTo());
        if (closed || to == null || cut.contains(id) || cut.contains(m.getTo())) {
          unreachable.accept(m.getTo());
          return;
        }
        to.accept(m);
      }

      @Override
      public void close() {
        closed = true;
        if (in != null) {
          inbound.remove(id, in); // only our own registration, not a restarted member's
        }
      }
    };
  }

  void cut(long id) {
    cut.add(id);
  }

  void heal(long id) {
    cut.remove(id);
  }
}
