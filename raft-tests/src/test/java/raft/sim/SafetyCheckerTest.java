package raft.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.core.ReadState;
import raft.core.ReadyPipeline;
import raft.log.MemoryStorage;
import raft.pb.Entry;
import raft.pb.Snapshot;

/** The checker itself, fed by hand: what it must catch that a cheaper check would let pass. */
class SafetyCheckerTest {

  private static SimNode started(long id) {
    SimNode n = new SimNode(id, MemoryStorage.bootstrap(List.of(1L, 2L, 3L)));
    n.start(new SimConfig(), 1, w -> { }, m -> { }, new ReadyPipeline.StateMachineQueue() {
      @Override
      public void apply(Snapshot snapshot, List<Entry> committed) { }

      @Override
      public void read(ReadState rs) { }
    });
    return n;
  }

  private static Entry entry(long index, long term, String data) {
    return Entry.newBuilder().setIndex(index).setTerm(term)
        .setData(ByteString.copyFromUtf8(data)).build();
  }

  @Test
  @DisplayName("Log Matching (§5.3) compares the entries' bytes: two commands with one hash differ")
  void logMatchingComparesBytesNotHashes() {
    // "Aa" and "BB" have the same 32-bit hash (as Strings and as ByteStrings): a check on hashes
    // would take them for the same entry.
    ByteString a = ByteString.copyFromUtf8("Aa");
    ByteString b = ByteString.copyFromUtf8("BB");
    assertEquals(a.hashCode(), b.hashCode(), "the premise: the hashes collide");
    assertNotEquals(a, b);
    SafetyChecker c = new SafetyChecker(3, Set.of(Property.ALL), false);
    c.onAppend(started(1), List.of(entry(1, 1, "Aa")));
    assertTrue(c.ok(), "one entry alone matches itself");
    c.onAppend(started(2), List.of(entry(1, 1, "BB")));
    assertEquals(Property.LOG_MATCHING, c.property(), String.valueOf(c.detail()));
    assertTrue(c.detail().contains("entry 1/1 with different content"), c.detail());
  }

  @Test
  @DisplayName("Log Matching (§5.3): the same entry on two nodes passes")
  void sameEntryPasses() {
    SafetyChecker c = new SafetyChecker(3, Set.of(Property.ALL), false);
    c.onAppend(started(1), List.of(entry(1, 1, "x"), entry(2, 1, "y")));
    c.onAppend(started(2), List.of(entry(1, 1, "x"), entry(2, 1, "y")));
    assertTrue(c.ok(), String.valueOf(c.detail()));
  }

  private static raft.pb.ConfState voters(long... ids) {
    raft.pb.ConfState.Builder b = raft.pb.ConfState.newBuilder();
    for (long id : ids) {
      b.addVoters(id);
    }
    return b.build();
  }

  private static void applied(SafetyChecker c, SimNode n, long index, long term,
      raft.pb.ConfState cs) {
    n.appliedIndex = index;
    n.appliedTerm = term;
    n.confState = cs;
    c.onApply(n);
  }

  @Test
  @DisplayName("MembershipAgreement: two members with different configurations after the same"
      + " entry are caught; after entries of different terms at one index they may differ")
  void membershipAgreementComparesPerEntry() {
    SafetyChecker c = new SafetyChecker(3, Set.of(Property.MEMBERSHIP_AGREEMENT), true);
    SimNode a = started(1);
    SimNode b = started(2);
    applied(c, a, 7, 2, voters(1, 2, 3));
    applied(c, b, 7, 3, voters(1, 2)); // another entry at 7 (of term 3): another prefix
    assertTrue(c.ok(), String.valueOf(c.detail()));
    applied(c, b, 7, 2, voters(3, 2, 1)); // the same members, listed in another order
    assertTrue(c.ok(), String.valueOf(c.detail()));
    applied(c, b, 7, 2, voters(1, 2));
    assertEquals(Property.MEMBERSHIP_AGREEMENT, c.property());
    assertTrue(c.detail().contains("n2 (its state machine) has voters {n1,n2}, learners {}"
        + " after entry 7/2, but voters {n1,n2,n3}, learners {} was seen there before"),
        c.detail());
  }

  @Test
  @DisplayName("CommittedOnQuorum reads a member's disk: an entry in its snapshot or in its log"
      + " with the same term counts, one of another term or beyond its log does not")
  void durablyHoldsReadsTheDisk() {
    MemoryStorage d = new MemoryStorage();
    d.append(List.of(entry(1, 1, "a"), entry(2, 1, "b"), entry(3, 2, "c")));
    assertTrue(MemberChecks.durablyHolds(d, 3, 2));
    assertTrue(!MemberChecks.durablyHolds(d, 3, 1), "another entry at 3");
    assertTrue(!MemberChecks.durablyHolds(d, 4, 2), "beyond the log");
    d.createSnapshot(2, voters(1), ByteString.copyFromUtf8("s"));
    d.compact(2);
    assertTrue(MemberChecks.durablyHolds(d, 1, 1), "in the snapshot");
    assertTrue(MemberChecks.durablyHolds(d, 3, 2));
  }
}
