package raft.transport;

import java.util.function.Consumer;
import java.util.function.LongConsumer;
import raft.pb.Message;

/**
 * Carries Raft messages between members.
 *
 * <p>Contract: {@link #send} never blocks and never throws; a message to a peer that is down is
 * dropped (Raft retransmits), and the peer is reported through {@code unreachable} so the leader
 * can slow down its probing. Messages to one peer may be dropped but are not reordered within one
 * connection. {@code inbound} is called from transport threads; the receiver hands the message
 * to its own loop.
 */
public interface Transport extends AutoCloseable {

  void start(Consumer<Message> inbound, LongConsumer unreachable);

  void send(Message m);

  @Override
  void close();
}
