package raft.runtime;

import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import raft.pb.Message;
import raft.pb.MessageType;
import raft.transport.Transport;

/**
 * An in-process network for {@link NodeRuntime} tests: each member's transport hands messages
 * straight to the receiver's inbound callback (which only enqueues, so it never blocks). A
 * member can be cut off: messages to or from it are dropped and reported unreachable.
 */
final class LocalNetwork {
  private final Map<Long, Consumer<Message>> inbound = new ConcurrentHashMap<>();
  private final Set<Long> cut = ConcurrentHashMap.newKeySet();
  private final Map<Long, CountDownLatch> held = new ConcurrentHashMap<>();
  /** How many entries each append (MsgApp) sent so far carried, in send order. */
  final Queue<Integer> appendSizes = new ConcurrentLinkedQueue<>();

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
        awaitRelease(id);
        if (m.getType() == MessageType.MSG_APP) {
          appendSizes.add(m.getEntriesCount());
        }
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

  /**
   * Makes member {@code id}'s next send block (its Raft loop stops there) until {@link
   * #releaseAll}; the returned latch opens once the loop is blocked.
   */
  CountDownLatch hold(long id) {
    CountDownLatch blocked = new CountDownLatch(1);
    held.put(id, blocked);
    return blocked;
  }

  void releaseAll() {
    held.clear();
    synchronized (this) {
      notifyAll();
    }
  }

  private void awaitRelease(long id) {
    CountDownLatch blocked = held.get(id);
    if (blocked == null) {
      return;
    }
    blocked.countDown();
    synchronized (this) {
      while (held.get(id) == blocked) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  void cut(long id) {
    cut.add(id);
  }

  void heal(long id) {
    cut.remove(id);
  }
}
