package raft.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raft.paper.PaperHarness.elect;
import static raft.paper.PaperHarness.msg;
import static raft.paper.PaperHarness.node;
import static raft.paper.PaperHarness.single;
import static raft.paper.PaperHarness.snapshotData;
import static raft.paper.PaperHarness.terms;
import static raft.paper.PaperHarness.voters;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.core.Ready;
import raft.pb.Message;
import raft.pb.MessageType;
import raft.pb.Snapshot;
import raft.pb.SnapshotMetadata;
import raft.tracker.Progress;

/** §7 log compaction: InstallSnapshot on both sides. */
class SnapshotPaperTest {

  private static Message snap(long term, long index, long snapTerm) {
    Snapshot s = Snapshot.newBuilder().setData(snapshotData(index))
        .setMetadata(SnapshotMetadata.newBuilder().setIndex(index).setTerm(snapTerm)
            .setConfState(voters(1L, 2L, 3L)))
        .build();
    return msg(MessageType.MSG_SNAP, 2, 1, term).setSnapshot(s).build();
  }

  /** A leader that sent node 2 its snapshot, node 2 (not yet given it), and the MsgSnap. */
  private record Pending(PaperNode leader, PaperNode follower, Message snap) {}

  /** A leader of term 2 that compacted entries 1-5 away probes an empty follower (node 2). */
  private static Pending snapshotFromLeader() {
    PaperNode leader = node(1).log(1, 1, 1, 1, 1).hardState(1, 0, 5).compactedAt(5).build();
    PaperNode follower = node(2).term(1).build();
    Message probe = single(elect(leader), MessageType.MSG_APP, 2);
    Message reject = single(follower.step(probe), MessageType.MSG_APP_RESP, 1);
    assertTrue(reject.getReject(), "the empty follower lacks entry 5");
    return new Pending(leader, follower, single(leader.step(reject), MessageType.MSG_SNAP, 2));
  }

  @Test
  @DisplayName("§7: the leader sends its snapshot when the entries a follower needs were "
      + "compacted away")
  void leaderSendsSnapshotForCompactedEntries() {
    Pending p = snapshotFromLeader();
    Message m = p.snap();
    assertEquals(5, m.getSnapshot().getMetadata().getIndex());
    assertEquals(1, m.getSnapshot().getMetadata().getTerm());
    assertEquals(snapshotData(5), m.getSnapshot().getData());
    assertEquals(2, m.getTerm());
    assertEquals(Progress.State.SNAPSHOT, p.leader().raft().tracker().get(2).state(),
        "no appends to node 2 until it installed the snapshot");
  }

  @Test
  @DisplayName("§7: after the follower installs the snapshot, the leader resumes AppendEntries "
      + "right after it, and their logs match")
  void leaderResumesAfterSnapshot() {
    Pending p = snapshotFromLeader();
    PaperNode leader = p.leader();
    PaperNode follower = p.follower();
    Message ack = single(follower.step(p.snap()), MessageType.MSG_APP_RESP, 1);
    assertEquals(5, ack.getIndex());

    Message next = single(leader.step(ack), MessageType.MSG_APP, 2);
    assertEquals(5, next.getIndex());
    assertEquals(1, next.getLogTerm(), "the snapshot's last term serves as prevLogTerm");
    follower.step(next);
    assertEquals(6, follower.raft().log().lastIndex());
    assertEquals(List.of(2L), terms(follower), "the leader's no-op, after the snapshot");
  }

  @Test
  @DisplayName("§7: a follower whose log does not contain the snapshot's last entry discards "
      + "its whole log and installs the snapshot")
  void followerInstallsSnapshot() {
    PaperNode n = node(1).log(1, 1, 1).hardState(1, 0, 1).build();
    n.rn.step(snap(2, 5, 2));
    Ready rd = n.cycle();
    assertEquals(5, rd.snapshot().getMetadata().getIndex(), "handed to the runtime to persist");
    assertEquals(5, single(rd.afterPersist(), MessageType.MSG_APP_RESP, 2).getIndex());
    assertEquals(6, n.raft().log().firstIndex());
    assertEquals(5, n.raft().log().lastIndex(), "entries 2-3 (term 1) are gone");
    assertEquals(2, n.raft().log().term(5));
    assertEquals(5, n.commit(), "a snapshot holds only committed state");
    assertEquals(snapshotData(5), n.storage.snapshot().getData());
  }

  @Test
  @DisplayName("§7: a follower that already has the snapshot's last entry keeps the entries "
      + "that follow it")
  void followerKeepsSuffix() {
    PaperNode n = node(1).log(1, 1, 1, 1, 1, 1, 1).hardState(1, 0, 2).build();
    List<Message> out = n.step(snap(1, 5, 1));
    assertEquals(5, single(out, MessageType.MSG_APP_RESP, 2).getIndex());
    assertEquals(7, n.raft().log().lastIndex(), "entries 6-7 survive");
    assertEquals(5, n.commit());
    assertEquals(0, n.storage.snapshot().getMetadata().getIndex(), "nothing installed");
  }

  @Test
  @DisplayName("§7: a follower ignores a snapshot older than its commitIndex and answers with "
      + "its commitIndex")
  void followerIgnoresStaleSnapshot() {
    PaperNode n = node(1).log(1, 1, 1, 1, 1).hardState(1, 0, 5).build();
    n.rn.step(snap(1, 3, 1));
    Ready rd = n.cycle();
    assertNull(rd.snapshot());
    Message resp = single(rd.afterPersist(), MessageType.MSG_APP_RESP, 2);
    assertFalse(resp.getReject());
    assertEquals(5, resp.getIndex());
    assertEquals(List.of(1L, 1L, 1L, 1L, 1L), terms(n));
  }
}
