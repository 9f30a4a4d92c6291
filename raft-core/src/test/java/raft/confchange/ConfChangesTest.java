package raft.confchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.pb.ConfChange;
import raft.pb.ConfChangeSingle;
import raft.pb.ConfChangeTransition;
import raft.pb.ConfChangeType;
import raft.pb.ConfChangeV2;
import raft.pb.ConfState;
import raft.pb.Entry;
import raft.pb.EntryType;

class ConfChangesTest {
  static final ConfState ABC = ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3)
      .build();

  static ConfChangeSingle ch(ConfChangeType t, long id) {
    return ConfChangeSingle.newBuilder().setType(t).setNodeId(id).build();
  }

  static ConfChangeV2 v2(ConfChangeSingle... cs) {
    return ConfChangeV2.newBuilder().addAllChanges(List.of(cs)).build();
  }

  static ConfChangeV2 add(long id) {
    return v2(ch(ConfChangeType.CONF_CHANGE_ADD_NODE, id));
  }

  @Test
  @DisplayName("§4.1: one voter added or removed takes effect directly")
  void simpleChanges() {
    ConfChanges.Result r = ConfChanges.apply(ABC, add(4));
    assertNull(r.refused());
    assertEquals(List.of(1L, 2L, 3L, 4L), r.after().getVotersList());
    r = ConfChanges.apply(r.after(), v2(ch(ConfChangeType.CONF_CHANGE_REMOVE_NODE, 2)));
    assertEquals(List.of(1L, 3L, 4L), r.after().getVotersList());
    assertFalse(ConfChanges.isJoint(r.after()));
  }

  @Test
  @DisplayName("§4.2.1: a learner is added, promoted to voter, and demoted again")
  void learners() {
    ConfState cs = ConfChanges.apply(ABC,
        v2(ch(ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE, 4))).after();
    assertEquals(List.of(4L), cs.getLearnersList());
    assertEquals(List.of(1L, 2L, 3L), cs.getVotersList());
    cs = ConfChanges.apply(cs, add(4)).after();
    assertEquals(List.of(), cs.getLearnersList());
    assertEquals(List.of(1L, 2L, 3L, 4L), cs.getVotersList());
  }

  @Test
  @DisplayName("§4.3: two voters changed at once go through a joint configuration, left by an"
      + " empty change; a demoted voter is a learner only once C_old is gone")
  void joint() {
    ConfChangeV2 cc = v2(ch(ConfChangeType.CONF_CHANGE_ADD_NODE, 4),
        ch(ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE, 1));
    assertTrue(ConfChanges.entersJoint(cc));
    ConfState joint = ConfChanges.apply(ABC, cc).after();
    assertTrue(ConfChanges.isJoint(joint));
    assertTrue(joint.getAutoLeave());
    assertEquals(List.of(2L, 3L, 4L), joint.getVotersList());
    assertEquals(List.of(1L, 2L, 3L), joint.getVotersOutgoingList());
    assertEquals(List.of(1L), joint.getLearnersNextList());
    assertEquals(List.of(), joint.getLearnersList());
    ConfChanges.Result refused = ConfChanges.apply(joint, add(5));
    assertEquals("already in a joint configuration: leave it first", refused.refused());
    assertEquals(joint, refused.after());
    ConfState left = ConfChanges.apply(joint, ConfChangeV2.getDefaultInstance()).after();
    assertEquals(List.of(2L, 3L, 4L), left.getVotersList());
    assertEquals(List.of(1L), left.getLearnersList());
    assertFalse(ConfChanges.isJoint(left));
    assertFalse(left.getAutoLeave());
  }

  @Test
  @DisplayName("§4.3: an explicit transition is joint even for one change, and does not leave"
      + " by itself")
  void explicitJoint() {
    ConfChangeV2 cc = add(4).toBuilder()
        .setTransition(ConfChangeTransition.CONF_CHANGE_TRANSITION_JOINT_EXPLICIT).build();
    ConfState joint = ConfChanges.apply(ABC, cc).after();
    assertTrue(ConfChanges.isJoint(joint));
    assertFalse(joint.getAutoLeave());
  }

  @Test
  @DisplayName("§4.1: refused changes leave the configuration as it was, with a reason")
  void refusals() {
    assertEquals("not in a joint configuration: nothing to leave",
        ConfChanges.apply(ABC, ConfChangeV2.getDefaultInstance()).refused());
    ConfState one = ConfState.newBuilder().addVoters(1).build();
    assertEquals("the change would remove every voter",
        ConfChanges.apply(one, v2(ch(ConfChangeType.CONF_CHANGE_REMOVE_NODE, 1))).refused());
    assertEquals("no configuration yet: only adding a voter may start one",
        ConfChanges.apply(ConfState.getDefaultInstance(),
            v2(ch(ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE, 1))).refused());
  }

  @Test
  @DisplayName("v1 changes and entries decode to v2; normal entries to null")
  void decode() {
    ConfChange v1 = ConfChange.newBuilder().setType(ConfChangeType.CONF_CHANGE_REMOVE_NODE)
        .setNodeId(7).build();
    Entry e = Entry.newBuilder().setType(EntryType.ENTRY_CONF_CHANGE).setData(v1.toByteString())
        .build();
    ConfChangeV2 cc = ConfChanges.decode(e);
    assertEquals(ConfChangeType.CONF_CHANGE_REMOVE_NODE, cc.getChanges(0).getType());
    assertEquals(7, cc.getChanges(0).getNodeId());
    assertNull(ConfChanges.decode(Entry.getDefaultInstance()));
    assertEquals(java.util.Set.of(1L, 2L, 3L, 4L), ConfChanges.members(
        ABC.toBuilder().addLearners(4).build()));
  }
}
