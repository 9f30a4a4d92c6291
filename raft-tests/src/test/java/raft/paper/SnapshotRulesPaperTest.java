package raft.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static raft.paper.PaperHarness.msg;
import static raft.paper.PaperHarness.node;
import static raft.paper.PaperHarness.recipients;
import static raft.paper.PaperHarness.single;
import static raft.paper.PaperHarness.snapshotData;
import static raft.paper.PaperHarness.voters;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.pb.ConfState;
import raft.pb.Message;
import raft.pb.MessageType;
import raft.pb.Snapshot;
import raft.pb.SnapshotMetadata;

/**
 * The follower's side of InstallSnapshot (§7) in the cases SnapshotPaperTest leaves open: what
 * it answers when it keeps its log, and what a snapshot replaces. Written against mutants of
 * Raft.restore/handleSnapshot that survived.
 */
class SnapshotRulesPaperTest {

  private static Message snap(long term, long index, long snapTerm, ConfState cs) {
    Snapshot s = Snapshot.newBuilder().setData(snapshotData(index))
        .setMetadata(SnapshotMetadata.newBuilder().setIndex(index).setTerm(snapTerm)
            .setConfState(cs))
        .build();
    return msg(MessageType.MSG_SNAP, 2, 1, term).setSnapshot(s).build();
  }

  @Test
  @DisplayName("§7: a follower answers a stale snapshot with its commitIndex, not with the end of "
      + "an uncommitted tail")
  void staleSnapshotAnsweredWithCommitIndex() {
    PaperNode n = node(1).log(1, 1, 1, 1, 1, 1, 1).hardState(1, 0, 5).build();
    Message resp = single(n.step(snap(1, 3, 1, voters(1L, 2L, 3L))), MessageType.MSG_APP_RESP, 2);
    assertFalse(resp.getReject());
    assertEquals(5, resp.getIndex(), "only entries up to 5 are known to match the leader's");
    assertEquals(7, n.raft().log().lastIndex(), "the log is kept");
  }

  @Test
  @DisplayName("§7: a follower ignores a snapshot older than its own and keeps its log")
  void snapshotOlderThanOursIsIgnored() {
    PaperNode n = node(1).log(1, 1, 1, 1, 1, 1).hardState(1, 0, 6).compactedAt(5).build();
    Message resp = single(n.step(snap(1, 3, 1, voters(1L, 2L, 3L))), MessageType.MSG_APP_RESP, 2);
    assertEquals(6, resp.getIndex());
    assertEquals(6, n.raft().log().firstIndex());
    assertEquals(6, n.raft().log().lastIndex());
    assertEquals(snapshotData(5), n.storage.snapshot().getData(), "our snapshot stays");
  }

  @Test
  @DisplayName("§7: the snapshot's configuration replaces the follower's: a later election asks "
      + "the voters the snapshot names")
  void snapshotConfigurationReplacesOurs() {
    PaperNode n = node(1).term(1).build();
    n.step(snap(1, 4, 1, voters(1L, 2L, 3L, 4L, 5L)));
    assertEquals(5, n.raft().tracker().voters().size());
    List<Message> out = n.campaign();
    assertEquals(List.of(2L, 3L, 4L, 5L), recipients(out, MessageType.MSG_VOTE));
  }
}
