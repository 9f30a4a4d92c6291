package raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.log.MemoryStorage;
import raft.pb.ConfState;
import raft.pb.Entry;
import raft.pb.HardState;
import raft.pb.Message;
import raft.pb.MessageType;

/**
 * The contract of a node at its edges: how it is configured and restarted (Figure 2's persistent
 * state, §7's snapshot configuration), what step() returns, and the guard on outgoing vote
 * messages. Written against mutants that survived every protocol-level test.
 */
class NodeContractMutationTest {

  private static Config config(MemoryStorage storage) {
    Config c = new Config();
    c.id = 1;
    c.peers = List.of(1L, 2L, 3L);
    c.storage = storage;
    c.random = new SplittableRandom(1);
    return c;
  }

  private static void assertInvalid(String message, Consumer<Config> change) {
    Config c = config(new MemoryStorage());
    change.accept(c);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::validate);
    assertEquals(message, e.getMessage());
  }

  @Test
  @DisplayName("§5.2: a configuration the timers cannot work with is refused up front")
  void invalidConfigsAreRefused() {
    assertInvalid("config: id must not be 0", c -> c.id = 0);
    assertInvalid("config: heartbeatTick must be > 0", c -> c.heartbeatTick = 0);
    assertInvalid("config: electionTick must be > heartbeatTick", c -> c.electionTick = 1);
    assertInvalid("config: storage is required", c -> c.storage = null);
    assertInvalid("config: random is required (inject a seeded one)", c -> c.random = null);
    assertInvalid("config: maxInflightMsgs must be > 0", c -> c.maxInflightMsgs = 0);
    Config ok = config(new MemoryStorage());
    ok.electionTick = 2;
    assertEquals(ok, ok.validate(), "electionTick just above heartbeatTick is fine");
  }

  @Test
  @DisplayName("§7: a restarted node takes its voters from the stored configuration, not from "
      + "the peers it was first started with")
  void storedVotersWinOverPeers() {
    MemoryStorage s = new MemoryStorage();
    s.append(List.of(Entry.newBuilder().setIndex(1).setTerm(1).build()));
    s.createSnapshot(1, ConfState.newBuilder().addAllVoters(List.of(1L, 2L, 3L, 4L, 5L)).build(),
        com.google.protobuf.ByteString.EMPTY);
    Raft r = new Raft(config(s));
    assertEquals(5, r.tracker().voters().size());
    assertEquals(1, r.id());
  }

  @Test
  @DisplayName("§4.1 and §7: a restarted node's configuration is its snapshot's plus the changes"
      + " after it, not those before it that the log still keeps")
  void changesBeforeTheSnapshotAreNotFoldedAgain() {
    // Entries 1-3: enter {1,2,4} & {1,2,3}, leave it, enter {1,2,5} & {1,2,4}. The snapshot
    // at 3 records the last; the log keeps all three (as etcd's storage keeps entries for
    // slow followers). Folded again on top of the snapshot's, entry 2 left the joint
    // configuration and entry 3 gave {1,2,5} & {1,2,5}: CI's seed 1267959950 (5 voters,
    // members) found that as a MembershipAgreement violation after a restart.
    List<raft.pb.ConfChangeV2> changes = List.of(joint(4, 3),
        raft.pb.ConfChangeV2.getDefaultInstance(), joint(5, 4));
    ConfState cs = ConfState.newBuilder().addAllVoters(List.of(1L, 2L, 3L)).build();
    MemoryStorage s = new MemoryStorage();
    for (int i = 0; i < changes.size(); i++) {
      cs = raft.confchange.ConfChanges.apply(cs, changes.get(i)).after();
      s.append(List.of(Entry.newBuilder().setIndex(i + 1).setTerm(1)
          .setType(raft.pb.EntryType.ENTRY_CONF_CHANGE_V2).setData(changes.get(i).toByteString())
          .build()));
    }
    assertEquals(List.of(1L, 2L, 4L), cs.getVotersOutgoingList().stream().sorted().toList());
    s.setHardState(HardState.newBuilder().setTerm(1).setCommit(3).build());
    s.createSnapshot(3, cs, com.google.protobuf.ByteString.EMPTY);
    assertEquals(cs, new Raft(config(s)).confState());
  }

  private static raft.pb.ConfChangeV2 joint(long add, long remove) {
    return raft.pb.ConfChangeV2.newBuilder()
        .addChanges(raft.pb.ConfChangeSingle.newBuilder().setNodeId(add))
        .addChanges(raft.pb.ConfChangeSingle.newBuilder()
            .setType(raft.pb.ConfChangeType.CONF_CHANGE_REMOVE_NODE).setNodeId(remove))
        .build();
  }

  @Test
  @DisplayName("§4.2.1: a member with no configuration yet (it joins) never campaigns; it waits"
      + " to be sent the log")
  void noVotersWaitsToJoin() {
    Config c = config(new MemoryStorage());
    c.peers = List.of();
    RaftNode n = new RaftNode(new Raft(c));
    for (int i = 0; i < 100; i++) {
      n.tick();
    }
    assertEquals(StateRole.FOLLOWER, n.raft().role());
    assertEquals(0, n.raft().term());
    assertEquals(0, n.confState().getVotersCount());
  }

  @Test
  @DisplayName("Figure 2: a restarted node does not hand the state machine again what it applied "
      + "before the restart (Config.applied)")
  void appliedIndexSurvivesRestart() {
    MemoryStorage s = new MemoryStorage();
    s.append(List.of(Entry.newBuilder().setIndex(1).setTerm(1).build(),
        Entry.newBuilder().setIndex(2).setTerm(1).build(),
        Entry.newBuilder().setIndex(3).setTerm(1).build()));
    s.setHardState(HardState.newBuilder().setTerm(1).setCommit(3).build());
    Config c = config(s);
    c.applied = 2;
    RaftNode n = new RaftNode(c);
    List<Entry> committed = n.ready().committedEntries();
    assertEquals(1, committed.size());
    assertEquals(3, committed.get(0).getIndex());
  }

  @Test
  @DisplayName("§5.1: step() reports every message it took, whether or not it changed anything; "
      + "only proposals and reads with nowhere to go are dropped")
  void stepReportsTakenMessages() {
    RaftNode n = new RaftNode(config(new MemoryStorage()));
    Message vote = Message.newBuilder().setType(MessageType.MSG_VOTE).setFrom(2).setTo(1)
        .setTerm(2).build();
    assertTrue(n.step(vote));
    Message stale = Message.newBuilder().setType(MessageType.MSG_APP).setFrom(3).setTo(1)
        .setTerm(1).build();
    assertTrue(n.step(stale), "a stale request is taken (and answered), not dropped");
    assertTrue(n.raft().step(Message.newBuilder().setType(MessageType.MSG_HUP).setFrom(1)
        .build()));
    RaftNode inLease = new RaftNode(config(new MemoryStorage())); // CheckQuorum is on
    inLease.step(Message.newBuilder().setType(MessageType.MSG_HEARTBEAT).setFrom(2).setTo(1)
        .setTerm(2).build());
    assertTrue(inLease.step(vote.toBuilder().setFrom(3).setTerm(3).build()),
        "a vote ignored in the lease (thesis §4.2.3) is still taken");
  }

  @Test
  @DisplayName("§5.2: a vote request or reply must carry the term it is about; sending one "
      + "without is a bug")
  void voteMessagesNeedATerm() {
    Raft r = new Raft(config(new MemoryStorage()));
    for (MessageType t : List.of(MessageType.MSG_VOTE, MessageType.MSG_PRE_VOTE,
        MessageType.MSG_VOTE_RESP, MessageType.MSG_PRE_VOTE_RESP)) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> r.send(Message.newBuilder().setType(t).setTo(2)));
      assertEquals("term should be set when sending " + t, e.getMessage());
    }
  }

  @Test
  @DisplayName("§5.2: the local-only inputs (election and heartbeat timers, transport reports) "
      + "cannot arrive from a peer")
  void localOnlyMessagesRefusedFromPeers() {
    RaftNode n = new RaftNode(config(new MemoryStorage()));
    for (MessageType t : List.of(MessageType.MSG_HUP, MessageType.MSG_BEAT,
        MessageType.MSG_UNREACHABLE, MessageType.MSG_SNAP_STATUS, MessageType.MSG_CHECK_QUORUM)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> n.step(Message.newBuilder().setType(t).setFrom(2).setTerm(1).build()));
      assertEquals("message type " + t + " is local and cannot be received from a peer",
          e.getMessage());
    }
    assertEquals(StateRole.FOLLOWER, n.raft().role());
    assertEquals(0, n.raft().term());
  }

  @Test
  @DisplayName("§5.2: with no leader known, a proposal or a transfer request is dropped "
      + "(step reports false) and the Ready stays empty once drained")
  void droppedRequestsReportFalse() {
    RaftNode n = new RaftNode(config(new MemoryStorage()));
    n.advance(n.ready());
    assertTrue(n.ready().isEmpty());
    assertEquals(false, n.propose(com.google.protobuf.ByteString.copyFromUtf8("x")));
    assertEquals(false, n.step(Message.newBuilder().setType(MessageType.MSG_PROP).setFrom(2)
        .addEntries(Entry.getDefaultInstance()).build()));
    assertEquals(false, n.transferLeader(2));
    n.campaign();
    assertEquals(false, n.ready().isEmpty(), "a campaign has votes to send");
    RaftNode.Status st = n.status();
    assertEquals(new RaftNode.Status(1, 0, 0, StateRole.PRE_CANDIDATE, 0, 0, 0, 0,
        n.confState()), st);
  }
}
