package raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.core.Invariants.Violation;
import raft.log.MemoryStorage;
import raft.pb.Entry;
import raft.pb.Snapshot;
import raft.pb.Message;
import raft.pb.MessageType;
import raft.tracker.Progress;

/**
 * The invariant check has teeth: each invariant, broken on purpose (by a broken subclass of Raft
 * where the protocol can be made to break it, by hand-made state where it cannot), is reported by
 * name; a healthy node reports nothing.
 */
class InvariantsTest {

  /** A node and its disk; every Ready is carried out as a runtime would (ReadyPipeline). */
  private record Node(RaftNode rn, MemoryStorage disk) {
    static Node of(long id, List<Long> peers, Function<Config, Raft> factory) {
      MemoryStorage disk = MemoryStorage.bootstrap(peers);
      Config c = new Config();
      c.id = id;
      c.storage = disk;
      c.preVote = false;
      c.random = new SplittableRandom(id);
      return new Node(new RaftNode(factory.apply(c)), disk);
    }

    void persist() {
      ReadyPipeline.synchronous(rn, disk, m -> { }, new ReadyPipeline.StateMachineQueue() {
        @Override
        public void apply(Snapshot snapshot, List<Entry> committed) { }

        @Override
        public void read(ReadState rs) { }
      }).drain();
    }

    Raft raft() {
      return rn.raft();
    }
  }

  private static List<String> names(List<Violation> vs) {
    return vs.stream().map(Violation::invariant).toList();
  }

  @Test
  @DisplayName("a healthy node that elects itself, appends, persists and commits breaks none")
  void healthyNodeBreaksNone() {
    Node n = Node.of(1, List.of(1L), Raft::new);
    Invariants inv = new Invariants();
    assertEquals(List.of(), inv.check(n.raft()));
    n.rn().campaign();
    assertEquals(List.of(), inv.check(n.raft()));
    n.persist();
    assertEquals(List.of(), inv.check(n.raft()));
    n.rn().propose(ByteString.copyFromUtf8("x"));
    assertEquals(List.of(), inv.check(n.raft()), "unpersisted entries are not counted");
    n.persist();
    assertEquals(List.of(), inv.check(n.raft()));
    assertEquals(2, n.raft().log().commitIndex());
  }

  /** Breaks §5.1: follows an AppendEntries of an older term instead of rejecting it. */
  static final class FollowsStaleLeader extends Raft {
    FollowsStaleLeader(Config c) {
      super(c);
    }

    @Override
    public boolean step(Message m) {
      if (m.getType() == MessageType.MSG_APP && m.getTerm() != 0 && m.getTerm() < currentTerm) {
        becomeFollower(m.getTerm(), m.getFrom());
      }
      return super.step(m);
    }
  }

  @Test
  @DisplayName("§5.1: a node whose term goes back is reported: 'currentTerm never decreases'")
  void termGoingBackIsReported() {
    Node n = Node.of(1, List.of(1L, 2L, 3L), FollowsStaleLeader::new);
    Invariants inv = new Invariants();
    n.rn().step(Message.newBuilder().setType(MessageType.MSG_HEARTBEAT).setFrom(2).setTo(1)
        .setTerm(5).build());
    assertEquals(List.of(), inv.check(n.raft()));
    n.rn().step(Message.newBuilder().setType(MessageType.MSG_APP).setFrom(3).setTo(1)
        .setTerm(3).build());
    assertEquals(List.of(Invariants.TERM_NEVER_DECREASES), names(inv.check(n.raft())));
  }

  /** Breaks thesis §10.2.1: counts its new entry toward the majority before writing it. */
  static final class CountsItselfBeforePersisting extends Raft {
    CountsItselfBeforePersisting(Config c) {
      super(c);
    }

    @Override
    protected long appendAfter() {
      trk.get(id).maybeUpdate(log.lastIndex() + 1);
      return super.appendAfter();
    }
  }

  @Test
  @DisplayName("thesis §10.2.1: a leader counting unpersisted entries is reported")
  void countingUnpersistedIsReported() {
    Node n = Node.of(1, List.of(1L, 2L, 3L), CountsItselfBeforePersisting::new);
    Invariants inv = new Invariants();
    n.rn().campaign();
    n.persist(); // its vote for itself counts once durable
    n.rn().step(Message.newBuilder().setType(MessageType.MSG_VOTE_RESP).setFrom(2).setTo(1)
        .setTerm(1).build());
    assertEquals(StateRole.LEADER, n.raft().role());
    assertEquals(List.of(Invariants.SELF_MATCH_PERSISTED), names(inv.check(n.raft())));
  }

  /** Breaks §5.2: becomes a candidate without voting for itself. */
  static final class ForgetsOwnVote extends Raft {
    ForgetsOwnVote(Config c) {
      super(c);
    }

    @Override
    void becomeCandidate() {
      super.becomeCandidate();
      votedFor = 0;
    }
  }

  @Test
  @DisplayName("§5.2: a candidate that did not vote for itself is reported")
  void candidateWithoutOwnVoteIsReported() {
    Node n = Node.of(1, List.of(1L, 2L, 3L), ForgetsOwnVote::new);
    n.rn().campaign();
    assertEquals(StateRole.CANDIDATE, n.raft().role());
    assertEquals(List.of(Invariants.VOTED_FOR_SELF), names(new Invariants().check(n.raft())));
  }

  /** A leader that does not record itself as the leader. */
  static final class ForgetsItLeads extends Raft {
    ForgetsItLeads(Config c) {
      super(c);
    }

    @Override
    void becomeLeader() {
      super.becomeLeader();
      lead = 0;
    }
  }

  @Test
  @DisplayName("a leader whose lead is not itself is reported")
  void leaderNotLeadingIsReported() {
    Node n = Node.of(1, List.of(1L), ForgetsItLeads::new);
    n.rn().campaign();
    n.persist(); // its vote for itself counts once durable: it wins alone
    assertEquals(StateRole.LEADER, n.raft().role());
    assertEquals(List.of(Invariants.LEADER_LEADS), names(new Invariants().check(n.raft())));
  }

  // The remaining invariants cannot be broken through the protocol (its classes refuse such
  // states or cannot reach them); their clauses are shown to report hand-made states.

  @Test
  @DisplayName("§5.3: a commit index going back is reported")
  void commitGoingBack() {
    List<Violation> out = new ArrayList<>();
    Invariants.checkNeverDecreases(Invariants.COMMIT_NEVER_DECREASES, 7, 6, out);
    assertEquals(List.of(Invariants.COMMIT_NEVER_DECREASES), names(out));
    out.clear();
    Invariants.checkNeverDecreases(Invariants.COMMIT_NEVER_DECREASES, 7, 7, out);
    assertEquals(List.of(), out);
  }

  @Test
  @DisplayName("Figure 2: lastApplied <= commitIndex <= lastIndex, each reported when broken")
  void logBounds() {
    List<Violation> out = new ArrayList<>();
    Invariants.checkLogBounds(5, 4, 6, out);
    assertEquals(List.of(Invariants.APPLIED_LE_COMMIT), names(out));
    out.clear();
    Invariants.checkLogBounds(1, 7, 6, out);
    assertEquals(List.of(Invariants.COMMIT_LE_LAST), names(out));
    out.clear();
    Invariants.checkLogBounds(6, 6, 6, out);
    assertEquals(List.of(), out);
  }

  private static Entry entry(long index) {
    return Entry.newBuilder().setIndex(index).setTerm(1).build();
  }

  @Test
  @DisplayName("a gap or a repeat among the log's indexes is reported")
  void indexesConsecutive() {
    List<Violation> out = new ArrayList<>();
    Invariants.checkIndexes(3, List.of(entry(3), entry(4), entry(4)), out);
    assertEquals(List.of(Invariants.INDEXES_CONSECUTIVE), names(out));
    out.clear();
    Invariants.checkIndexes(3, List.of(entry(3), entry(5)), out);
    assertEquals(List.of(Invariants.INDEXES_CONSECUTIVE), names(out));
    out.clear();
    Invariants.checkIndexes(3, List.of(entry(3), entry(4)), out);
    assertEquals(List.of(), out);
  }

  @Test
  @DisplayName("§5.3: a progress whose matchIndex reaches its nextIndex is reported")
  void matchBelowNext() {
    List<Violation> out = new ArrayList<>();
    Invariants.checkProgress(2, new Progress(5, 5, 1, 0), out);
    assertEquals(List.of(Invariants.MATCH_LT_NEXT), names(out));
    out.clear();
    Invariants.checkProgress(2, new Progress(4, 5, 1, 0), out);
    assertEquals(List.of(), out);
  }

  @Test
  @DisplayName("a leader's own matchIndex beyond its log is reported (and beyond what it persisted)")
  void selfMatchBeyondLog() {
    List<Violation> out = new ArrayList<>();
    Invariants.checkLeaderSelf(new Progress(7, 8, 1, 0), 6, 6, out);
    assertEquals(List.of(Invariants.SELF_MATCH_LE_LAST, Invariants.SELF_MATCH_PERSISTED),
        names(out));
  }

  @Test
  @DisplayName("thesis §6.4: a read waiting beyond the next heartbeat round is reported")
  void readRounds() {
    ReadOnly ro = new ReadOnly();
    ro.add(3, Message.getDefaultInstance());
    List<Violation> out = new ArrayList<>();
    Invariants.checkReadRounds(ro, out);
    assertEquals(List.of(), out, "a fresh read waits for the next round");
    ReadOnly.Pending far = new ReadOnly.Pending(3, Message.getDefaultInstance(), 5);
    Invariants.checkReadRounds(List.of(far), 3, out);
    assertEquals(List.of(Invariants.READ_ROUNDS), names(out));
    assertTrue(out.get(0).toString().startsWith("'" + Invariants.READ_ROUNDS + "'"));
  }

  @Test
  @DisplayName("thesis §4.2.2: a leader outside its committed configuration is reported; so is"
      + " progress that does not match the members")
  void leaderMembership() {
    List<Invariants.Violation> out = new ArrayList<>();
    Invariants.checkLeaderMembership(1, false, 5, 4, Set.of(2L, 3L),
        Set.of(2L, 3L), out);
    assertEquals(List.of(Invariants.LEADER_VOTER_OR_LEAVING),
        out.stream().map(Invariants.Violation::invariant).toList());
    out.clear();
    Invariants.checkLeaderMembership(1, false, 3, 4, Set.of(2L, 3L),
        Set.of(2L, 3L), out);
    assertEquals(List.of(), out, "not committed yet: it may still lead (§4.2.2)");
    Invariants.checkLeaderMembership(1, true, 5, 4, Set.of(1L, 2L),
        Set.of(1L, 2L, 3L), out);
    assertEquals(List.of(Invariants.PROGRESS_FOR_MEMBERS),
        out.stream().map(Invariants.Violation::invariant).toList());
  }
}
