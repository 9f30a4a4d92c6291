package raft.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.paper.PaperHarness.ackAll;
import static raft.paper.PaperHarness.app;
import static raft.paper.PaperHarness.appResp;
import static raft.paper.PaperHarness.elect;
import static raft.paper.PaperHarness.entry;
import static raft.paper.PaperHarness.msg;
import static raft.paper.PaperHarness.node;
import static raft.paper.PaperHarness.ofType;
import static raft.paper.PaperHarness.recipients;
import static raft.paper.PaperHarness.single;
import static raft.paper.PaperHarness.terms;

import com.google.protobuf.ByteString;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.core.Ready;
import raft.pb.Entry;
import raft.pb.Message;
import raft.pb.MessageType;

/** §5.3 log replication, both sides of AppendEntries, and §8's no-op and client routing. */
class ReplicationPaperTest {

  @Test
  @DisplayName("§8: a new leader appends a no-op entry of its own term and sends it to every "
      + "follower")
  void newLeaderAppendsNoop() {
    PaperNode n = node(1).log(1).term(1).build();
    List<Message> out = elect(n);
    assertEquals(List.of(1L, 2L), terms(n));
    assertEquals(ByteString.EMPTY, n.raft().log().allEntries().get(1).getData());
    assertEquals(List.of(2L, 3L), recipients(out, MessageType.MSG_APP));
    for (Message m : out) {
      assertEquals(1, m.getIndex(), "prevLogIndex");
      assertEquals(1, m.getLogTerm(), "prevLogTerm");
      assertEquals(List.of(entry(2, 2)), m.getEntriesList());
    }
  }

  @Test
  @DisplayName("§5.3: the leader appends a command to its log with its term and sends it in "
      + "AppendEntries with prevLogIndex, prevLogTerm and leaderCommit")
  void leaderAppendsAndReplicatesProposal() {
    PaperNode n = node(1).leader(2);
    ackAll(n);
    List<Message> out = n.propose("x");
    assertEquals(entry(2, 2, "x"), n.raft().log().allEntries().get(1));
    assertEquals(List.of(2L, 3L), recipients(out, MessageType.MSG_APP));
    for (Message m : out) {
      assertEquals(1, m.getIndex());
      assertEquals(2, m.getLogTerm());
      assertEquals(1, m.getCommit());
      assertEquals(List.of(entry(2, 2, "x")), m.getEntriesList());
    }
  }

  @Test
  @DisplayName("§5.2: a leader sends heartbeats to every follower every heartbeatTick ticks")
  void leaderSendsHeartbeats() {
    PaperNode n = node(1).heartbeatTick(3).leader(2);
    assertTrue(ofType(n.tick(2), MessageType.MSG_HEARTBEAT).isEmpty());
    List<Message> hb = n.tick(1);
    assertEquals(List.of(2L, 3L), recipients(hb, MessageType.MSG_HEARTBEAT));
    assertEquals(2, hb.get(0).getTerm());
    assertEquals(List.of(2L, 3L), recipients(n.tick(3), MessageType.MSG_HEARTBEAT));
  }

  @Test
  @DisplayName("§5.3: a heartbeat never claims a commitIndex beyond what the follower is known "
      + "to store: it carries min(matchIndex, commitIndex)")
  void heartbeatCommitIsBoundedByMatch() {
    PaperNode n = node(1).leader(2);
    n.step(appResp(2, 1, 2, 1)); // node 2 has the no-op; with the leader it commits
    assertEquals(1, n.commit());
    List<Message> hb = n.tick(1);
    assertEquals(1, single(hb, MessageType.MSG_HEARTBEAT, 2).getCommit());
    assertEquals(0, single(hb, MessageType.MSG_HEARTBEAT, 3).getCommit(),
        "node 3 may not have entry 1: committing it there would break its log");
  }

  @Test
  @DisplayName("§5.3: an entry is committed once a majority stores it; the leader applies it and "
      + "sends the new leaderCommit")
  void majorityReplicationCommits() {
    PaperNode n = node(1).peers(1L, 2L, 3L, 4L, 5L).leader(2);
    n.step(appResp(2, 1, 2, 1));
    assertEquals(0, n.commit(), "leader + 1 follower = 2 of 5");
    List<Message> out = n.step(appResp(3, 1, 2, 1));
    assertEquals(1, n.commit(), "leader + 2 followers = 3 of 5");
    assertEquals(List.of(entry(1, 2)), n.applied);
    for (Message m : ofType(out, MessageType.MSG_APP)) {
      assertEquals(1, m.getCommit(), "tells followers the new commitIndex");
    }
    assertEquals(List.of(2L, 3L), recipients(out, MessageType.MSG_APP));
  }

  @Test
  @DisplayName("Thesis §10.2.1: the leader counts its own copy toward the majority only after "
      + "the runtime persisted it")
  void leaderCountsItselfAfterPersisting() {
    PaperNode n = node(1).term(1).build();
    n.campaign();
    n.rn.step(msg(MessageType.MSG_VOTE_RESP, 2, 1, 2).build()); // leader; no-op not persisted
    n.rn.step(appResp(2, 1, 2, 1).build());
    assertEquals(0, n.commit(), "one durable copy (node 2) of three");
    n.persist();
    assertEquals(1, n.commit(), "node 2 and the leader's own disk");
  }

  @Test
  @DisplayName("§5.3: a follower appends entries that follow a matching prevLogIndex/prevLogTerm "
      + "and acknowledges the index of the last new entry")
  void followerAppendsAfterMatch() {
    PaperNode n = node(1).log(1, 1).term(1).build();
    List<Message> out = n.step(app(2, 1, 2, 2, 1, 0, entry(3, 2), entry(4, 2)));
    assertEquals(List.of(1L, 1L, 2L, 2L), terms(n));
    assertEquals(4, n.storage.lastIndex(), "persisted");
    Message resp = single(out, MessageType.MSG_APP_RESP, 2);
    assertFalse(resp.getReject());
    assertEquals(4, resp.getIndex());
  }

  @Test
  @DisplayName("§5.3: a follower rejects AppendEntries when its log has no entry at prevLogIndex "
      + "with prevLogTerm, and hints the last index whose term is <= prevLogTerm")
  void followerRejectsMismatch() {
    PaperNode n = node(1).log(1, 1, 3, 3).term(3).build();
    Message beyond = single(n.step(app(2, 1, 4, 6, 3, 0, entry(7, 4))),
        MessageType.MSG_APP_RESP, 2);
    assertTrue(beyond.getReject());
    assertEquals(6, beyond.getIndex(), "echoes the rejected prevLogIndex");
    assertEquals(4, beyond.getRejectHint(), "our log ends at 4");
    assertEquals(3, beyond.getLogTerm());

    Message conflict = single(n.step(app(2, 1, 4, 4, 2, 0, entry(5, 4))),
        MessageType.MSG_APP_RESP, 2);
    assertTrue(conflict.getReject());
    assertEquals(2, conflict.getRejectHint(), "skips our whole term-3 run, which cannot match");
    assertEquals(1, conflict.getLogTerm());
    assertEquals(List.of(1L, 1L, 3L, 3L), terms(n), "log untouched");
  }

  @Test
  @DisplayName("§5.3: a follower deletes a conflicting entry and all that follow it, then "
      + "appends the leader's")
  void followerTruncatesConflict() {
    PaperNode n = node(1).log(1, 1, 1, 1).hardState(1, 0, 1).build();
    List<Message> out = n.step(app(2, 1, 2, 1, 1, 1, entry(2, 2)));
    assertEquals(List.of(1L, 2L), terms(n));
    assertEquals(2, n.storage.lastIndex(), "the stale tail is gone from disk too");
    assertEquals(2, single(out, MessageType.MSG_APP_RESP, 2).getIndex());
  }

  @Test
  @DisplayName("§5.3: a duplicated or reordered AppendEntries whose entries are already present "
      + "does not truncate the follower's log")
  void followerKeepsLogOnDuplicate() {
    PaperNode n = node(1).log(1, 1, 1).term(1).build();
    List<Message> out = n.step(app(2, 1, 1, 0, 0, 0, entry(1, 1), entry(2, 1)));
    assertEquals(List.of(1L, 1L, 1L), terms(n), "entry 3 survives");
    assertEquals(2, single(out, MessageType.MSG_APP_RESP, 2).getIndex());
  }

  @Test
  @DisplayName("§5.3: a follower sets commitIndex = min(leaderCommit, index of last new entry)")
  void followerCommitIsBoundedByLastNewEntry() {
    PaperNode n = node(1).log(1, 1, 1, 1).term(1).build();
    // Entries 3 and 4 are not vouched for by this append: they may not be the leader's.
    n.step(app(2, 1, 1, 2, 1, 4));
    assertEquals(2, n.commit());
    n.step(app(2, 1, 1, 4, 1, 3));
    assertEquals(3, n.commit(), "now leaderCommit is the smaller one");
    assertEquals(List.of(1L, 2L, 3L), n.applied.stream().map(Entry::getIndex).toList());
  }

  @Test
  @DisplayName("§5.3: a heartbeat advances the follower's commitIndex to the leader's")
  void heartbeatAdvancesCommit() {
    PaperNode n = node(1).log(1, 1, 1).term(1).build();
    List<Message> out = n.step(msg(MessageType.MSG_HEARTBEAT, 2, 1, 1).setCommit(2));
    assertEquals(2, n.commit());
    single(out, MessageType.MSG_HEARTBEAT_RESP, 2);
  }

  @Test
  @DisplayName("§5.3: after a rejection the leader lowers nextIndex and retries until the logs "
      + "match, then the follower's log equals the leader's")
  void leaderBacksOffUntilMatch() {
    PaperNode leader = node(1).log(1, 1, 1).term(2).build();
    PaperNode follower = node(2).log(1, 1).term(1).build();
    Message probe = single(elect(leader), MessageType.MSG_APP, 2);
    assertEquals(3, probe.getIndex());

    Message reject = single(follower.step(probe), MessageType.MSG_APP_RESP, 1);
    assertTrue(reject.getReject());
    Message retry = single(leader.step(reject), MessageType.MSG_APP, 2);
    assertEquals(2, retry.getIndex());
    assertEquals(1, retry.getLogTerm());

    leader.step(single(follower.step(retry), MessageType.MSG_APP_RESP, 1));
    assertEquals(List.of(1L, 1L, 1L, 3L), terms(follower));
    assertEquals(4, leader.commit(), "the no-op is now on 2 of 3");
  }

  @Test
  @DisplayName("§5.3: with the conflict hint (reject_hint, log_term) the leader's next probe "
      + "skips a whole term of mismatching entries")
  void fastBacktrackingSkipsTerm() {
    PaperNode leader = node(1).log(1, 2, 2, 4, 4, 4, 4).term(4).build();
    PaperNode follower = node(2).log(1, 2, 2, 3, 3, 3, 3, 3).term(3).build();
    Message probe = single(elect(leader), MessageType.MSG_APP, 2);
    assertEquals(7, probe.getIndex());
    assertEquals(4, probe.getLogTerm());

    Message reject = single(follower.step(probe), MessageType.MSG_APP_RESP, 1);
    assertTrue(reject.getReject());
    assertEquals(7, reject.getRejectHint());
    assertEquals(3, reject.getLogTerm(), "the follower's term at the hint");

    // Entries 4..7 of term 4 cannot match a log whose term at 7 is 3: jump to index 3 (term 2),
    // not to 6 as one-at-a-time decrementing would.
    Message next = single(leader.step(reject), MessageType.MSG_APP, 2);
    assertEquals(3, next.getIndex());
    assertEquals(2, next.getLogTerm());
    assertEquals(5, next.getEntriesCount(), "entries 4..8");

    Message ok = single(follower.step(next), MessageType.MSG_APP_RESP, 1);
    assertFalse(ok.getReject());
    assertEquals(List.of(1L, 2L, 2L, 4L, 4L, 4L, 4L, 5L), terms(follower));
  }

  @Test
  @DisplayName("§8: a follower forwards a client's proposal to the leader it knows; with no "
      + "known leader it refuses it")
  void followerForwardsProposals() {
    PaperNode n = node(1).term(2).build();
    assertFalse(n.rn.propose(ByteString.copyFromUtf8("x")), "no leader known yet");
    assertTrue(n.persist().isEmpty());

    n.step(msg(MessageType.MSG_HEARTBEAT, 2, 1, 2));
    Message fwd = single(n.propose("x"), MessageType.MSG_PROP, 2);
    assertEquals(ByteString.copyFromUtf8("x"), fwd.getEntries(0).getData());
    assertEquals(0, n.raft().log().lastIndex(), "a follower never appends proposals itself");
  }

  @Test
  @DisplayName("§5.3: a follower's acknowledgement comes in the same Ready as the entries it "
      + "acknowledges, to be sent only once they are synced")
  void followerAcksOnlyWhatItPersists() {
    PaperNode n = node(1).term(1).build();
    n.rn.step(app(2, 1, 1, 0, 0, 0, entry(1, 1)).build());
    Ready rd = n.cycle();
    assertEquals(List.of(entry(1, 1)), rd.entries());
    assertTrue(rd.mustSync());
    assertEquals(1, single(rd.afterPersist(), MessageType.MSG_APP_RESP, 2).getIndex());
    assertTrue(rd.messages().isEmpty(), "the acknowledgement waits for the write");
  }
}
