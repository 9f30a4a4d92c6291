package raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.log.MemoryStorage;
import raft.pb.ConfState;
import raft.pb.Entry;
import raft.pb.HardState;
import raft.pb.Message;
import raft.pb.MessageType;
import raft.pb.Snapshot;
import raft.pb.SnapshotMetadata;

/**
 * The order {@link ReadyPipeline} carries a Ready out in, with an asynchronous disk that the
 * test completes by hand: what leaves at once, and what waits for the write (Figure 2; thesis
 * §10.2.1).
 */
class ReadyPipelineTest {

  /** One node, its pipeline, and everything that left it. */
  private static final class Rig implements ReadyPipeline.StateMachineQueue {
    final RaftNode rn;
    final MemoryStorage disk;
    final List<ReadyPipeline.Write> writes = new ArrayList<>(); // handed over, not yet durable
    final List<Message> sent = new ArrayList<>();
    final List<Object> applied = new ArrayList<>(); // Snapshots and Entries, in order
    final List<SoftState> softStates = new ArrayList<>();
    final ReadyPipeline pipeline;

    Rig(long id, List<Long> peers) {
      disk = MemoryStorage.bootstrap(peers);
      Config c = new Config();
      c.id = id;
      c.storage = disk;
      c.preVote = false;
      c.random = new SplittableRandom(id);
      rn = new RaftNode(c);
      pipeline = new ReadyPipeline(rn, writes::add, sent::add, this);
    }

    /** The disk finishes its oldest write. */
    void finishWrite() {
      ReadyPipeline.Write w = writes.remove(0);
      ReadyPipeline.writeTo(disk, w.ready());
      pipeline.written(w);
    }

    boolean sentType(MessageType t) {
      return sent.stream().anyMatch(m -> m.getType() == t);
    }

    @Override
    public void apply(Snapshot snapshot, List<Entry> committed) {
      if (snapshot != null) {
        applied.add(snapshot);
      }
      applied.addAll(committed);
    }

    final List<Integer> readBatches = new ArrayList<>(); // reads handed over per Ready

    @Override
    public void read(ReadState rs) { }

    @Override
    public void reads(List<ReadState> confirmed) {
      readBatches.add(confirmed.size());
    }

    @Override
    public void softState(SoftState s) {
      softStates.add(s);
    }
  }

  private static Message append(long index, long logTerm, long commit, Entry... entries) {
    return Message.newBuilder().setType(MessageType.MSG_APP).setFrom(1).setTo(2).setTerm(1)
        .setIndex(index).setLogTerm(logTerm).setCommit(commit).addAllEntries(List.of(entries))
        .build();
  }

  private static Entry entry(long index, long term) {
    return Entry.newBuilder().setIndex(index).setTerm(term)
        .setData(ByteString.copyFromUtf8("e" + index)).build();
  }

  @Test
  @DisplayName("§5.2: a lone candidate wins only once its vote for itself is durable; the write "
      + "reported durable carries out the Readys it made")
  void candidateCountsItsVoteOnceDurable() {
    Rig r = new Rig(1, List.of(1L));
    r.rn.campaign();
    r.pipeline.drain();
    assertEquals(StateRole.CANDIDATE, r.rn.raft().role(), "the vote is still being written");
    assertEquals(1, r.writes.size());
    r.finishWrite();
    assertEquals(StateRole.LEADER, r.rn.raft().role());
    assertEquals(1, r.writes.size(), "written() drained: the no-op is handed to the disk");
    assertEquals(StateRole.LEADER, r.softStates.get(r.softStates.size() - 1).role());
    assertTrue(r.applied.isEmpty(), "the no-op is not durable yet");
    r.finishWrite();
    assertEquals(1, r.rn.raft().log().commitIndex(), "§10.2.1: counted itself once durable");
    assertEquals(List.of(1L), r.applied.stream().map(e -> ((Entry) e).getIndex()).toList());
  }

  @Test
  @DisplayName("§6.4: the reads one Ready confirms are handed over together (one batch)")
  void readsOfOneReadyAreOneBatch() {
    Rig r = new Rig(1, List.of(1L));
    r.rn.campaign();
    r.pipeline.drain();
    r.finishWrite();
    r.finishWrite(); // the leader's no-op is committed: reads may be served
    r.rn.readIndex(ByteString.copyFromUtf8("a"));
    r.rn.readIndex(ByteString.copyFromUtf8("b"));
    r.pipeline.drain();
    assertEquals(List.of(2), r.readBatches);
  }

  @Test
  @DisplayName("Figure 2: a follower's acknowledgement leaves only once its write is durable")
  void acknowledgementWaitsForTheWrite() {
    Rig r = new Rig(2, List.of(1L, 2L, 3L));
    r.rn.step(append(0, 0, 0, entry(1, 1)));
    r.pipeline.drain();
    assertFalse(r.sentType(MessageType.MSG_APP_RESP), "nothing acknowledged before the fsync");
    assertEquals(1, r.writes.size());
    r.finishWrite();
    assertTrue(r.sentType(MessageType.MSG_APP_RESP));
  }

  @Test
  @DisplayName("Figure 2: an acknowledgement of entries still being written waits behind that "
      + "write, even when its own Ready writes nothing (a barrier)")
  void duplicateAppendWaitsBehindTheWriteInFlight() {
    Rig r = new Rig(2, List.of(1L, 2L, 3L));
    r.rn.step(append(0, 0, 0, entry(1, 1)));
    r.pipeline.drain();
    r.rn.step(append(0, 0, 0, entry(1, 1))); // the same entry again: nothing new to write
    r.pipeline.drain();
    assertEquals(2, r.writes.size(), "the second Ready is a barrier behind the first");
    assertNull(r.writes.get(1).ready().snapshot());
    assertTrue(r.writes.get(1).ready().entries().isEmpty());
    assertFalse(r.writes.get(1).ready().mustSync());
    assertFalse(r.sentType(MessageType.MSG_APP_RESP));
    r.finishWrite();
    r.finishWrite();
    assertEquals(2, r.sent.stream().filter(m -> m.getType() == MessageType.MSG_APP_RESP).count());
  }

  @Test
  @DisplayName("a Ready with only messages needs no storage: a heartbeat's reply leaves at once")
  void heartbeatReplyNeedsNoWrite() {
    Rig r = new Rig(2, List.of(1L, 2L, 3L));
    r.rn.step(append(0, 0, 0, entry(1, 1)));
    r.pipeline.drain();
    r.finishWrite();
    r.sent.clear();
    r.rn.step(Message.newBuilder().setType(MessageType.MSG_HEARTBEAT).setFrom(1).setTo(2)
        .setTerm(1).build());
    r.pipeline.drain();
    assertTrue(r.sentType(MessageType.MSG_HEARTBEAT_RESP));
    assertTrue(r.writes.isEmpty(), "nothing to write, nothing promised");
  }

  @Test
  @DisplayName("§7: a snapshot from the leader reaches the state machine once it is durable")
  void snapshotIsAppliedOnceDurable() {
    Rig r = new Rig(2, List.of(1L, 2L, 3L));
    Snapshot s = Snapshot.newBuilder().setData(ByteString.copyFromUtf8("state"))
        .setMetadata(SnapshotMetadata.newBuilder().setIndex(5).setTerm(1)
            .setConfState(ConfState.newBuilder().addAllVoters(List.of(1L, 2L, 3L)))).build();
    r.rn.step(Message.newBuilder().setType(MessageType.MSG_SNAP).setFrom(1).setTo(2).setTerm(1)
        .setSnapshot(s).build());
    r.pipeline.drain();
    assertTrue(r.applied.isEmpty(), "not before the snapshot is on disk");
    r.finishWrite();
    assertEquals(List.of(s), r.applied);
    assertTrue(r.sentType(MessageType.MSG_APP_RESP));
  }

  @Test
  @DisplayName("carryOut refuses to run inside drain (a disk must not re-enter the pipeline)")
  void carryOutInsideDrainIsRefused() {
    Rig r = new Rig(1, List.of(1L));
    List<RuntimeException> refused = new ArrayList<>();
    ReadyPipeline[] p = new ReadyPipeline[1];
    p[0] = new ReadyPipeline(r.rn, w -> refused.add(
        assertThrows(IllegalStateException.class, () -> p[0].carryOut(w.ready()))), m -> { }, r);
    r.rn.campaign();
    p[0].drain();
    assertEquals(1, refused.size());
  }

  @Test
  @DisplayName("Ready.isEmpty is false as soon as any one part is present")
  void readyIsEmptyOnlyWhenEveryPartIs() {
    List<Message> m = List.of(Message.getDefaultInstance());
    List<Entry> e = List.of(Entry.getDefaultInstance());
    assertTrue(new Ready(null, null, List.of(), List.of(), null, List.of(), List.of(), List.of(),
        false).isEmpty());
    List<Ready> oneEach = List.of(
        new Ready(new SoftState(1, StateRole.LEADER), null, List.of(), List.of(), null,
            List.of(), List.of(), List.of(), false),
        new Ready(null, HardState.getDefaultInstance(), List.of(), List.of(), null, List.of(),
            List.of(), List.of(), false),
        new Ready(null, null, List.of(new ReadState(1, ByteString.EMPTY)), List.of(), null,
            List.of(), List.of(), List.of(), false),
        new Ready(null, null, List.of(), e, null, List.of(), List.of(), List.of(), false),
        new Ready(null, null, List.of(), List.of(), Snapshot.getDefaultInstance(), List.of(),
            List.of(), List.of(), false),
        new Ready(null, null, List.of(), List.of(), null, e, List.of(), List.of(), false),
        new Ready(null, null, List.of(), List.of(), null, List.of(), m, List.of(), false),
        new Ready(null, null, List.of(), List.of(), null, List.of(), List.of(), m, false));
    for (Ready rd : oneEach) {
      assertFalse(rd.isEmpty(), rd.toString());
    }
    // Storage is needed for a write or a barrier, not for messages or committed entries alone.
    assertFalse(oneEach.get(0).needsStorage());
    assertTrue(oneEach.get(1).needsStorage());
    assertTrue(oneEach.get(3).needsStorage());
    assertTrue(oneEach.get(4).needsStorage());
    assertFalse(oneEach.get(5).needsStorage());
    assertFalse(oneEach.get(6).needsStorage());
    assertTrue(oneEach.get(7).needsStorage());
  }
}
