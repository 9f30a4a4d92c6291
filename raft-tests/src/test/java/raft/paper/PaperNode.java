package raft.paper;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import raft.core.Invariants;
import raft.core.Raft;
import raft.core.RaftNode;
import raft.core.ReadState;
import raft.core.Ready;
import raft.core.ReadyPipeline;
import raft.core.StateRole;
import raft.pb.Entry;
import raft.pb.Message;
import raft.pb.Snapshot;
import raft.log.MemoryStorage;

/**
 * One node under test plus the runtime's part: every method that feeds the node an input then
 * carries out Readys with {@link ReadyPipeline#synchronous} (the real order: send, write to
 * {@link MemoryStorage}, then acknowledge) until nothing is left, and returns the messages the
 * node sent, in order.
 *
 * <p>Running the cycles eagerly matters: a leader counts its own entries toward the commit index
 * only after the runtime has persisted them, so a test that skipped persistence would see a
 * leader that never commits.
 */
final class PaperNode {
  final RaftNode rn;
  final MemoryStorage storage;
  /** Every ReadState the node produced, in order. */
  final List<ReadState> readStates = new ArrayList<>();
  /** Every committed entry handed to the state machine, in order. */
  final List<Entry> applied = new ArrayList<>();
  private final List<Message> sent = new ArrayList<>();
  private final ReadyPipeline pipeline;
  /** Run after every input and every Ready cycle: a broken invariant fails the test by name. */
  private final Invariants invariants = new Invariants();

  PaperNode(RaftNode rn, MemoryStorage storage) {
    this.rn = rn;
    this.storage = storage;
    this.pipeline = ReadyPipeline.synchronous(rn, storage, sent::add,
        new ReadyPipeline.StateMachineQueue() {
          @Override
          public void apply(Snapshot snapshot, List<Entry> committed) {
            applied.addAll(committed);
          }

          @Override
          public void read(ReadState rs) {
            readStates.add(rs);
          }
        });
    checkInvariants();
  }

  /** Fails the test with the name of the first invariant the node's state breaks. */
  void checkInvariants() {
    List<Invariants.Violation> broken = invariants.check(raft());
    if (!broken.isEmpty()) {
      throw new AssertionError("node " + raft().id() + " broke invariant " + broken.get(0)
          + (broken.size() > 1 ? " (and " + broken.subList(1, broken.size()) + ")" : ""));
    }
  }

  Raft raft() {
    return rn.raft();
  }

  long term() {
    return raft().term();
  }

  StateRole role() {
    return raft().role();
  }

  long commit() {
    return raft().log().commitIndex();
  }

  /** One Ready, taken and carried out as the runtime does; its messages are not collected. */
  Ready cycle() {
    Ready rd = rn.ready();
    pipeline.carryOut(rd);
    sent.clear();
    checkInvariants();
    return rd;
  }

  /** Carries out Readys until none is pending and returns all messages sent meanwhile. */
  List<Message> persist() {
    checkInvariants(); // the state the input left, before the runtime's part
    for (int i = 0; rn.hasReady(); i++) {
      if (i > 100) {
        throw new IllegalStateException("Ready cycles do not settle");
      }
      pipeline.carryOut(rn.ready());
      checkInvariants();
    }
    List<Message> out = new ArrayList<>(sent);
    sent.clear();
    return out;
  }

  /** Delivers a message from a peer, then persists. */
  List<Message> step(Message m) {
    rn.step(m);
    return persist();
  }

  List<Message> step(Message.Builder m) {
    return step(m.build());
  }

  /** Ticks n times, persisting after each tick as a runtime would. */
  List<Message> tick(int n) {
    List<Message> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rn.tick();
      out.addAll(persist());
    }
    return out;
  }

  List<Message> campaign() {
    rn.campaign();
    return persist();
  }

  /** Proposes commands; fails the test if the node refused them. */
  List<Message> propose(String... commands) {
    List<ByteString> data = new ArrayList<>();
    for (String c : commands) {
      data.add(ByteString.copyFromUtf8(c));
    }
    if (!rn.proposeAll(data)) {
      throw new AssertionError("proposal refused by node " + raft().id());
    }
    return persist();
  }

  /** Proposes a membership change; false if the node refused it (messages stay pending). */
  boolean tryChangeConf(raft.pb.ConfChangeV2 cc) {
    return rn.proposeConfChange(cc);
  }

  RaftNode node() {
    return rn;
  }

  MemoryStorage storage() {
    return storage;
  }

  List<Message> readIndex(String ctx) {
    if (!rn.readIndex(ByteString.copyFromUtf8(ctx))) {
      throw new AssertionError("read refused by node " + raft().id());
    }
    return persist();
  }
}
