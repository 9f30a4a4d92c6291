package raft.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.paper.PaperHarness.recipients;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.core.StateRole;
import raft.pb.ConfChangeSingle;
import raft.pb.ConfChangeType;
import raft.pb.ConfChangeV2;
import raft.pb.ConfState;
import raft.pb.MessageType;

/** Thesis chapter 4: membership changes, one rule per test, on members wired by a PaperNet. */
class MembershipPaperTest {

  static ConfChangeV2 change(ConfChangeType t, long id) {
    return ConfChangeV2.newBuilder()
        .addChanges(ConfChangeSingle.newBuilder().setType(t).setNodeId(id)).build();
  }

  static ConfChangeV2 addVoter(long id) {
    return change(ConfChangeType.CONF_CHANGE_ADD_NODE, id);
  }

  static ConfChangeV2 addLearner(long id) {
    return change(ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE, id);
  }

  static ConfChangeV2 remove(long id) {
    return change(ConfChangeType.CONF_CHANGE_REMOVE_NODE, id);
  }

  static PaperNet cluster(boolean preVote, long... ids) {
    PaperNet net = new PaperNet(preVote);
    for (long id : ids) {
      net.bootstrapped(id, ids);
    }
    return net;
  }

  /** A cluster of {@code ids} led by 1, whose followers have learned its first commit. */
  static PaperNet ledByOne(boolean preVote, long... ids) {
    PaperNet net = cluster(preVote, ids);
    net.elect(1);
    net.tick(1);
    return net;
  }

  static Set<Long> voters(PaperNode n) {
    return n.raft().tracker().voters().ids();
  }

  @Test
  @DisplayName("Bootstrap: a new cluster's log starts with its members; a member that joins"
      + " with an empty log learns the whole membership from the log")
  void bootstrapAndJoin() {
    PaperNet net = cluster(false, 1, 2, 3);
    assertEquals(Set.of(1L, 2L, 3L), voters(net.nodes.get(2L)));
    assertEquals(3, net.nodes.get(2L).commit(), "the bootstrap entries are committed");
    net.elect(1);
    PaperNode four = net.joining(4);
    assertEquals(Set.of(), voters(four));
    net.change(1, addLearner(4));
    net.tick(2);
    assertEquals(net.nodes.get(1L).raft().confState(), four.raft().confState());
    assertEquals(List.of(4L), four.raft().confState().getLearnersList());
  }

  @Test
  @DisplayName("§4.2.1: a cluster whose log predates the bootstrap entries (its membership only"
      + " in the snapshot at index 0) adds no member until it has a real snapshot to send it")
  void oldLogsAddMembersOnlyFromASnapshot() {
    PaperNode one = PaperHarness.node(1).log(1, 1).hardState(1, 0, 1).leader(2);
    PaperHarness.ackAll(one);
    assertFalse(one.tryChangeConf(addLearner(4)), "4 could not learn {1,2,3} from the log");
    assertTrue(one.tryChangeConf(remove(3)), "changes of known members are fine");
    PaperNode compacted = PaperHarness.node(1).log(1, 1, 1).hardState(1, 0, 3).compactedAt(2)
        .leader(2);
    PaperHarness.ackAll(compacted);
    assertTrue(compacted.tryChangeConf(addLearner(4)), "4 will be sent the snapshot");
  }

  @Test
  @DisplayName("§4.1: a configuration takes effect as soon as its entry is in a member's log,"
      + " before it commits")
  void takesEffectOnAppend() {
    PaperNet net = ledByOne(false, 1, 2, 3);
    net.down.add(3L);
    net.change(1, addVoter(4));
    PaperNode leader = net.nodes.get(1L);
    PaperNode two = net.nodes.get(2L);
    assertEquals(Set.of(1L, 2L, 3L, 4L), voters(leader));
    assertEquals(Set.of(1L, 2L, 3L, 4L), voters(two), "the follower uses it on append");
    assertTrue(leader.commit() < leader.raft().lastConfChangeIndex(),
        "1 and 2 are not a majority of four: not committed yet");
  }

  @Test
  @DisplayName("§4.1: one change at a time: a second change is refused until the first is"
      + " applied")
  void oneChangeAtATime() {
    PaperNet net = ledByOne(false, 1, 2, 3);
    PaperNode leader = net.nodes.get(1L);
    net.down.add(2L);
    net.down.add(3L);
    net.change(1, addLearner(4));
    assertFalse(leader.tryChangeConf(addLearner(5)), "the first change is not applied yet");
    assertTrue(leader.node().confChangePending());
    net.down.clear();
    net.tick(2);
    assertFalse(leader.node().confChangePending());
    assertTrue(leader.tryChangeConf(addLearner(5)));
  }

  @Test
  @DisplayName("raft-dev 2015 (thesis §4.1 errata): a new leader proposes no change before the"
      + " no-op of its term (§8) is committed and applied")
  void noChangeBeforeOwnTermCommits() {
    PaperNode one = PaperHarness.node(1).log(1, 1).hardState(1, 0, 1).leader(2);
    assertTrue(one.commit() < one.raft().log().lastIndex(), "its no-op is unacknowledged");
    assertFalse(one.tryChangeConf(remove(3)), "its term has committed nothing yet");
    PaperHarness.ackAll(one);
    assertTrue(one.tryChangeConf(remove(3)));
  }

  @Test
  @DisplayName("§4.2.1: a learner gets the log but never campaigns and never counts toward a"
      + " majority")
  void learnerNeitherVotesNorCounts() {
    PaperNet net = ledByOne(false, 1, 2, 3);
    PaperNode leader = net.nodes.get(1L);
    PaperNode four = net.joining(4);
    net.change(1, addLearner(4));
    net.tick(2);
    assertEquals(leader.raft().log().lastIndex(), four.raft().log().lastIndex(), "it has the log");
    assertTrue(leader.raft().tracker().get(4).isLearner());
    // Alone with the learner, the leader commits nothing: the learner does not count.
    net.down.add(2L);
    net.down.add(3L);
    leader.propose("x");
    net.send(leader.persist());
    net.settle();
    assertTrue(leader.commit() < leader.raft().log().lastIndex());
    // And the learner never campaigns, however long it hears nothing.
    net.down.add(1L);
    List<raft.pb.Message> out = four.tick(100);
    assertEquals(List.of(), recipients(out, MessageType.MSG_PRE_VOTE));
    assertEquals(List.of(), recipients(out, MessageType.MSG_VOTE));
    assertEquals(StateRole.FOLLOWER, four.role());
  }

  @Test
  @DisplayName("§4.2.1: a member that joins counts toward a majority only for what it has"
      + " acknowledged (its progress starts at match 0)")
  void joinedMemberCountsOnlyWhatItAcknowledged() {
    PaperNet net = ledByOne(false, 1, 2, 3);
    PaperNode leader = net.nodes.get(1L);
    net.down.add(3L);
    net.joining(4);
    net.down.add(4L);
    net.change(1, addVoter(4)); // {1,2,3,4}: a majority is 3
    assertEquals(0, leader.raft().tracker().get(4).matchIndex());
    assertTrue(leader.commit() < leader.raft().lastConfChangeIndex(), "1 and 2 are not 3 of 4");
    net.down.remove(4L);
    net.tick(2);
    assertTrue(leader.commit() >= leader.raft().lastConfChangeIndex(), "1, 2 and 4 are");
  }

  @Test
  @DisplayName("§4.2.2: a leader removed from the configuration keeps leading without counting"
      + " itself until the change commits, then steps down")
  void removedLeaderStepsDownOnCommit() {
    PaperNet net = ledByOne(false, 1, 2, 3);
    PaperNode leader = net.nodes.get(1L);
    net.down.add(3L);
    net.change(1, remove(1)); // C_new = {2,3}: only 2 answers, and the leader does not count
    assertEquals(StateRole.LEADER, leader.role());
    assertTrue(leader.commit() < leader.raft().lastConfChangeIndex());
    net.down.remove(3L);
    net.tick(2);
    assertEquals(StateRole.FOLLOWER, leader.role(), "C_new committed: it steps down");
    net.tick(40); // 2 and 3 elect a leader among themselves; 1 never campaigns again
    long leaders = net.nodes.values().stream().filter(n -> n.role() == StateRole.LEADER).count();
    assertEquals(1, leaders);
    assertEquals(StateRole.FOLLOWER, leader.role());
  }

  @Test
  @DisplayName("§4.2.3: a removed member that never learned of its removal cannot disrupt the"
      + " cluster (PreVote and CheckQuorum); without them it deposes the leader")
  void removedMemberCannotDisrupt() {
    assertEquals(0, termsGainedByRemovedMember(true), "with PreVote and CheckQuorum");
    assertTrue(termsGainedByRemovedMember(false) > 0, "without them, it disrupts");
  }

  /** 4 is removed while cut off, then comes back and times out again and again. */
  private static long termsGainedByRemovedMember(boolean preVote) {
    PaperNet net = ledByOne(preVote, 1, 2, 3, 4);
    PaperNode leader = net.nodes.get(1L);
    net.down.add(4L);
    net.change(1, remove(4));
    net.tick(2);
    assertEquals(Set.of(1L, 2L, 3L), voters(leader));
    assertEquals(Set.of(1L, 2L, 3L, 4L), voters(net.nodes.get(4L)), "4 never heard of it");
    long term = leader.term();
    net.down.remove(4L);
    net.tick(60);
    return net.nodes.get(1L).term() - term;
  }

  @Test
  @DisplayName("§4.3: joint consensus: while joint, commitment needs a majority of C_old and of"
      + " C_new; the leader then leaves the joint configuration by itself")
  void jointConsensus() {
    PaperNet net = ledByOne(false, 1, 2, 3);
    PaperNode leader = net.nodes.get(1L);
    net.joining(4);
    net.joining(5);
    ConfChangeV2 swap = ConfChangeV2.newBuilder()
        .addChanges(ConfChangeSingle.newBuilder()
            .setType(ConfChangeType.CONF_CHANGE_ADD_NODE).setNodeId(4))
        .addChanges(ConfChangeSingle.newBuilder()
            .setType(ConfChangeType.CONF_CHANGE_ADD_NODE).setNodeId(5))
        .addChanges(ConfChangeSingle.newBuilder()
            .setType(ConfChangeType.CONF_CHANGE_REMOVE_NODE).setNodeId(3)).build();
    net.down.add(4L);
    net.down.add(5L);
    net.change(1, swap);
    ConfState joint = leader.raft().confState();
    assertEquals(List.of(1L, 2L, 3L), joint.getVotersOutgoingList());
    assertEquals(List.of(1L, 2L, 4L, 5L), joint.getVotersList());
    assertTrue(leader.commit() < leader.raft().lastConfChangeIndex(),
        "C_old's majority (1,2,3) has it, C_new's (3 of 1,2,4,5) does not");
    net.down.clear();
    net.tick(3);
    ConfState left = leader.raft().confState();
    assertEquals(List.of(), left.getVotersOutgoingList(), "left by itself");
    assertEquals(List.of(1L, 2L, 4L, 5L), left.getVotersList());
    assertEquals(leader.raft().lastConfChangeIndex(), leader.commit());
    assertEquals(left, net.nodes.get(5L).raft().confState());
  }

  @Test
  @DisplayName("§7: a snapshot carries the configuration as of its index; a member that installs"
      + " it takes that configuration, learners included")
  void snapshotCarriesTheConfiguration() {
    PaperNode n = PaperHarness.node(2).build();
    ConfState cs = ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3).addVoters(4)
        .addLearners(5).build();
    n.step(PaperHarness.msg(MessageType.MSG_SNAP, 1, 2, 1).setSnapshot(raft.pb.Snapshot
        .newBuilder().setMetadata(raft.pb.SnapshotMetadata.newBuilder().setIndex(20).setTerm(1)
            .setConfState(cs))));
    assertEquals(cs, n.raft().confState());
    assertEquals(cs, n.raft().confStateAt(20));
  }

  @Test
  @DisplayName("§4.1, recovery: a restarted member's configuration is its snapshot's, then every"
      + " change in its log after it")
  void recoveryFoldsTheLog() {
    PaperNet net = ledByOne(false, 1, 2, 3);
    net.change(1, addLearner(4));
    PaperNode two = net.nodes.get(2L);
    raft.core.Config c = new raft.core.Config();
    c.id = 2;
    c.storage = two.storage();
    c.random = new java.util.SplittableRandom(2);
    raft.core.Raft restarted = new raft.core.Raft(c);
    assertEquals(two.raft().confState(), restarted.confState());
    assertEquals(List.of(4L), restarted.confState().getLearnersList());
  }
}
