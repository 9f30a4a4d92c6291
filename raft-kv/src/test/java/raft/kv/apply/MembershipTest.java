package raft.kv.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.pb.KvState;
import raft.kv.pb.MemberChange;
import raft.pb.ConfChangeSingle;
import raft.pb.ConfChangeType;
import raft.pb.ConfState;

/** etcd's ValidateConfigurationChange rules, and the registry following the configuration. */
class MembershipTest {
  private static final ConfChangeType ADD = ConfChangeType.CONF_CHANGE_ADD_NODE;
  private static final ConfChangeType LEARNER = ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE;
  private static final ConfChangeType REMOVE = ConfChangeType.CONF_CHANGE_REMOVE_NODE;
  private static final ConfChangeType UPDATE = ConfChangeType.CONF_CHANGE_UPDATE_NODE;

  private final Membership registry = new Membership();

  private static Member member(long id, String name, String peer) {
    return Member.newBuilder().setID(id).setName(name).addPeerURLs(peer).build();
  }

  private static MemberChange change(Member m) {
    return MemberChange.newBuilder().setMember(m).build();
  }

  private void apply(ConfChangeType type, Member m, ConfState after) {
    registry.apply(List.of(ConfChangeSingle.newBuilder().setType(type).setNodeId(m.getID())
        .build()), change(m), after);
  }

  private static ConfState conf(List<Long> voters, List<Long> learners) {
    return ConfState.newBuilder().addAllVoters(voters).addAllLearners(learners).build();
  }

  /** n1..n3 as a new cluster's bootstrap entries leave them. */
  private void bootstrap() {
    apply(ADD, member(1, "n1", "http://127.0.0.1:12380"), conf(List.of(1L), List.of()));
    apply(ADD, member(2, "n2", "http://127.0.0.1:22380"), conf(List.of(1L, 2L), List.of()));
    apply(ADD, member(3, "n3", "http://127.0.0.1:32380"), conf(List.of(1L, 2L, 3L), List.of()));
  }

  private Optional<Membership.Refusal> validate(ConfChangeType type, MemberChange c) {
    return Membership.validate(registry.view(), type, c);
  }

  @Test
  void bootstrapEntriesFillTheRegistryWithTheInitialMembers() {
    bootstrap();
    assertEquals(List.of("n1", "n2", "n3"),
        registry.view().members().stream().map(Member::getName).toList());
    assertEquals(3, registry.view().voters().size());
  }

  @Test
  void anAddedLearnerIsALearnerUntilPromoted() {
    bootstrap();
    Member n4 = Member.newBuilder().setID(44).addPeerURLs("http://127.0.0.1:42380")
        .setIsLearner(true).build();
    apply(LEARNER, n4, conf(List.of(1L, 2L, 3L), List.of(44L)));
    assertTrue(registry.view().isLearner(44));
    assertEquals("", registry.view().member(44).orElseThrow().getName());
    registry.apply(List.of(ConfChangeSingle.newBuilder().setType(ADD).setNodeId(44).build()),
        MemberChange.newBuilder().setMember(Member.newBuilder().setID(44)).setIsPromote(true)
            .build(), conf(List.of(1L, 2L, 3L, 44L), List.of()));
    assertFalse(registry.view().isLearner(44));
    assertEquals(List.of("http://127.0.0.1:42380"),
        registry.view().member(44).orElseThrow().getPeerURLsList(), "promote keeps the URLs");
  }

  @Test
  void unknownIdsAreNotFound() {
    bootstrap();
    MemberChange unknown = change(Member.newBuilder().setID(99).build());
    assertEquals(Optional.of(Membership.Refusal.ID_NOT_FOUND), validate(REMOVE, unknown));
    assertEquals(Optional.of(Membership.Refusal.ID_NOT_FOUND), validate(UPDATE, unknown));
    assertEquals(Optional.of(Membership.Refusal.ID_NOT_FOUND), validate(ADD,
        unknown.toBuilder().setIsPromote(true).build()));
  }

  @Test
  void aRemovedIdIsRemovedForeverAndNeverAddedAgain() {
    bootstrap();
    apply(REMOVE, Member.newBuilder().setID(3).build(), conf(List.of(1L, 2L), List.of()));
    assertTrue(registry.view().member(3).isEmpty());
    assertEquals(Optional.of(Membership.Refusal.ID_REMOVED),
        validate(REMOVE, change(Member.newBuilder().setID(3).build())));
    assertEquals(Optional.of(Membership.Refusal.ID_REMOVED),
        validate(ADD, change(member(3, "", "http://127.0.0.1:39999"))));
    apply(ADD, member(3, "", "http://127.0.0.1:39999"), conf(List.of(1L, 2L), List.of()));
    assertTrue(registry.view().member(3).isEmpty(), "the registry never takes it back");
  }

  @Test
  void aPeerUrlInUseIsRefusedForAddAndForAnotherMembersUpdate() {
    bootstrap();
    assertEquals(Optional.of(Membership.Refusal.PEER_URL_EXISTS),
        validate(ADD, change(member(7, "", "http://127.0.0.1:22380"))));
    assertEquals(Optional.of(Membership.Refusal.PEER_URL_EXISTS),
        validate(UPDATE, change(member(1, "", "http://127.0.0.1:22380"))));
    assertEquals(Optional.empty(),
        validate(UPDATE, change(member(2, "", "http://127.0.0.1:22380"))),
        "a member may keep its own URL");
    assertEquals(Optional.of(Membership.Refusal.ID_EXISTS),
        validate(ADD, change(member(2, "", "http://127.0.0.1:29999"))));
  }

  @Test
  void onlyALearnerCanBePromotedAndOnlyOneLearnerAtATime() {
    bootstrap();
    MemberChange promote = MemberChange.newBuilder().setMember(Member.newBuilder().setID(2))
        .setIsPromote(true).build();
    assertEquals(Optional.of(Membership.Refusal.MEMBER_NOT_LEARNER), validate(ADD, promote));
    Member n4 = member(44, "", "http://127.0.0.1:42380").toBuilder().setIsLearner(true).build();
    apply(LEARNER, n4, conf(List.of(1L, 2L, 3L), List.of(44L)));
    Member n5 = member(55, "", "http://127.0.0.1:52380").toBuilder().setIsLearner(true).build();
    assertEquals(Optional.of(Membership.Refusal.TOO_MANY_LEARNERS), validate(LEARNER, change(n5)));
    assertEquals(Optional.empty(), validate(ADD, change(n5.toBuilder().setIsLearner(false)
        .build())), "a voter may be added beside a learner");
  }

  @Test
  void updateChangesThePeerUrlsOnly() {
    bootstrap();
    apply(UPDATE, member(2, "", "http://127.0.0.1:22999"), conf(List.of(1L, 2L, 3L), List.of()));
    Member n2 = registry.view().member(2).orElseThrow();
    assertEquals("n2", n2.getName());
    assertEquals(List.of("http://127.0.0.1:22999"), n2.getPeerURLsList());
  }

  @Test
  void publishSetsNameAndClientUrlsOfAMemberAndIgnoresOthers() {
    bootstrap();
    assertTrue(registry.publish(Member.newBuilder().setID(2).setName("n2")
        .addClientURLs("http://127.0.0.1:22379").build()));
    assertEquals(List.of("http://127.0.0.1:22379"),
        registry.view().member(2).orElseThrow().getClientURLsList());
    assertFalse(registry.publish(Member.newBuilder().setID(9).setName("x").build()));
  }

  @Test
  void theStateMachineKeepsTheRegistryAcrossASnapshotAndTellsItsListener() {
    KvStateMachine sm = new KvStateMachine();
    List<String> heard = new java.util.ArrayList<>();
    for (long id = 1; id <= 3; id++) {
      raft.pb.ConfChangeV2 cc = raft.pb.ConfChangeV2.newBuilder().addChanges(ConfChangeSingle
          .newBuilder().setType(ADD).setNodeId(id)).setContext(change(member(id, "n" + id,
          "http://127.0.0.1:" + id)).toByteString()).build();
      List<Long> voters = new java.util.ArrayList<>();
      for (long v = 1; v <= id; v++) {
        voters.add(v);
      }
      sm.applyConfChange(id, 1, cc, conf(voters, List.of()), null);
    }
    KvStateMachine copy = new KvStateMachine();
    copy.setMembershipListener((index, view, conf, restored) -> heard.add(index + " "
        + view.members().size() + " " + restored));
    copy.restore(3, sm.snapshot());
    assertEquals(sm.membership(), copy.membership());
    assertEquals(List.of("3 3 true"), heard);
  }

  @Test
  void aRefusedChangeChangesNothingAndTellsTheProposer() {
    List<ApplyResult> results = new java.util.ArrayList<>();
    KvStateMachine sm = new KvStateMachine(2, (id, index, r) -> results.add(r),
        raft.kv.lease.LeaseListener.NONE);
    raft.pb.ConfChangeV2 cc = raft.pb.ConfChangeV2.newBuilder().addChanges(ConfChangeSingle
        .newBuilder().setType(REMOVE).setNodeId(9)).setContext(MemberChange.newBuilder()
        .setRequestId(77).setMember(Member.newBuilder().setID(9)).build().toByteString()).build();
    sm.applyConfChange(1, 1, cc, conf(List.of(1L), List.of()), "not a member");
    assertEquals(0, sm.membership().members().size());
    ApplyResult.MemberChanged r = (ApplyResult.MemberChanged) results.get(0);
    assertEquals("not a member", r.coreRefusal());
  }

  @Test
  void theRegistryTravelsInTheSnapshot() throws Exception {
    bootstrap();
    apply(REMOVE, Member.newBuilder().setID(3).build(), conf(List.of(1L, 2L), List.of()));
    Member big = member(0x8000_0000_0000_0001L, "", "http://127.0.0.1:42380").toBuilder()
        .setIsLearner(true).build();
    apply(LEARNER, big, conf(List.of(1L, 2L), List.of(big.getID())));
    com.google.protobuf.ByteString.Output out = com.google.protobuf.ByteString.newOutput();
    com.google.protobuf.CodedOutputStream coded = com.google.protobuf.CodedOutputStream
        .newInstance(out);
    registry.writeTo(coded);
    coded.flush();
    Membership restored = new Membership();
    restored.restoreFrom(KvState.parseFrom(out.toByteString()));
    assertEquals(registry.view(), restored.view());
    assertTrue(restored.view().removed().contains(3L));
  }
}
