package raft.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.paper.PaperHarness.app;
import static raft.paper.PaperHarness.appResp;
import static raft.paper.PaperHarness.elect;
import static raft.paper.PaperHarness.entry;
import static raft.paper.PaperHarness.msg;
import static raft.paper.PaperHarness.node;
import static raft.paper.PaperHarness.single;
import static raft.paper.PaperHarness.terms;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import raft.core.StateRole;
import raft.pb.Entry;
import raft.pb.Message;
import raft.pb.MessageType;

/** §5.4 safety: the election restriction (§5.4.1) and the commitment rule (§5.4.2). */
class SafetyPaperTest {

  /** A leader of term 4 whose log holds an uncommitted entry of term 2 (Figure 8, (c)). */
  private static PaperNode figure8Leader() {
    PaperNode n = node(1).log(1, 2).hardState(3, 0, 1).build();
    elect(n);
    assertEquals(List.of(1L, 2L, 4L), terms(n), "entry 3 is the leader's no-op");
    return n;
  }

  @Test
  @DisplayName("§5.4.2: a leader does not commit an entry from an earlier term by counting "
      + "replicas, even once a majority stores it (Figure 8)")
  void oldTermEntryIsNotCommittedByCounting() {
    PaperNode n = figure8Leader();
    n.step(appResp(2, 1, 4, 2)); // entry 2 (term 2) is now on nodes 1 and 2: a majority
    assertEquals(1, n.commit(), "a future leader of term 3 could still overwrite entry 2");
    assertEquals(List.of(1L), n.applied.stream().map(Entry::getIndex).toList());
  }

  @Test
  @DisplayName("§5.4.2: when an entry of the current term commits, the earlier-term entries "
      + "before it commit with it")
  void oldTermEntryCommitsIndirectly() {
    PaperNode n = figure8Leader();
    n.step(appResp(2, 1, 4, 2));
    n.step(appResp(2, 1, 4, 3));
    assertEquals(3, n.commit());
    assertEquals(List.of(1L, 2L, 3L), n.applied.stream().map(Entry::getIndex).toList());
  }

  @ParameterizedTest(name = "voter log ends (term 2, index 2); candidate ends (term {0}, "
      + "index {1}) -> granted={2}")
  @CsvSource({
      "1, 5, false", // older last term loses, however long the log
      "2, 1, false", // same last term, shorter log loses
      "2, 2, true",  // same last term, same length: as up to date
      "3, 1, true",  // newer last term wins, however short the log
  })
  @DisplayName("§5.4.1: a vote is granted only to a candidate whose log is at least as "
      + "up-to-date (last term, then length)")
  void electionRestriction(long lastTerm, long lastIndex, boolean granted) {
    PaperNode n = node(1).log(1, 2).term(2).build();
    Message resp = single(
        n.step(msg(MessageType.MSG_VOTE, 2, 1, 3).setIndex(lastIndex).setLogTerm(lastTerm)),
        MessageType.MSG_VOTE_RESP, 2);
    assertEquals(!granted, resp.getReject());
    assertEquals(granted ? 2 : 0, n.raft().votedFor());
    assertEquals(3, n.term(), "the higher term is adopted either way (§5.1)");
  }

  @Test
  @DisplayName("§5.2: a leader refuses a vote request of its own term: it voted for itself")
  void leaderRefusesSameTermVote() {
    PaperNode n = node(1).leader(2);
    Message resp = single(n.step(msg(MessageType.MSG_VOTE, 3, 1, 2).setIndex(9).setLogTerm(9)),
        MessageType.MSG_VOTE_RESP, 3);
    assertTrue(resp.getReject());
    assertEquals(StateRole.LEADER, n.role());
  }

  @Test
  @DisplayName("§5.3: an AppendEntries whose prevLogIndex is below the follower's commitIndex is "
      + "answered with commitIndex and never rewrites committed entries")
  void committedEntriesAreNeverRewritten() {
    PaperNode n = node(1).log(1, 1, 1).hardState(1, 0, 3).build();
    List<Message> out = n.step(app(2, 1, 2, 1, 1, 3, entry(2, 2)));
    Message resp = single(out, MessageType.MSG_APP_RESP, 2);
    assertFalse(resp.getReject());
    assertEquals(3, resp.getIndex(), "everything up to commitIndex already matches");
    assertEquals(List.of(1L, 1L, 1L), terms(n));
  }
}
