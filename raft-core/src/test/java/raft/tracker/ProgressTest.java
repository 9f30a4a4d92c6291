package raft.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import raft.tracker.Progress.State;

class ProgressTest {

  /** A progress in PROBE with the given match and next indexes and a window of 3 appends. */
  static Progress probe(long match, long next) {
    return new Progress(match, next, 3, 0);
  }

  static Progress replicate(long match) {
    Progress p = probe(match, match + 1);
    p.becomeReplicate();
    return p;
  }

  @Test
  @DisplayName("a new progress probes from the given nextIndex and is not paused")
  void initial() {
    Progress p = probe(0, 11);
    assertEquals(State.PROBE, p.state());
    assertEquals(0, p.matchIndex());
    assertEquals(11, p.nextIndex());
    assertEquals(0, p.pendingSnapshot());
    assertFalse(p.isPaused());
    assertFalse(p.recentActive());
    p.setRecentActive(true);
    assertTrue(p.recentActive());
  }

  @Nested
  @DisplayName("PROBE")
  class Probe {
    @Test
    @DisplayName("§5.3: one append per round trip: sending pauses, without advancing nextIndex")
    void sendPauses() {
      Progress p = probe(0, 11);
      p.sentEntries(2, 12, 100);
      assertTrue(p.isPaused());
      assertEquals(11, p.nextIndex(), "a probe does not pipeline");
      assertEquals(0, p.inflights().count());
    }

    @Test
    @DisplayName("a heartbeat response unpauses a probe")
    void heartbeatUnpauses() {
      Progress p = probe(0, 11);
      p.sentEntries(0, 10, 0);
      assertTrue(p.isPaused());
      p.onHeartbeatResponse();
      assertFalse(p.isPaused());
    }

    @Test
    @DisplayName("§5.3: an acknowledgement raises matchIndex and nextIndex and unpauses")
    void ackUnpauses() {
      Progress p = probe(0, 11);
      p.sentEntries(1, 11, 10);
      assertTrue(p.maybeUpdate(11));
      assertEquals(11, p.matchIndex());
      assertEquals(12, p.nextIndex());
      assertFalse(p.isPaused());
      assertEquals(State.PROBE, p.state(), "the caller decides when to become REPLICATE");
    }

    @Test
    @DisplayName("§5.3: a stale acknowledgement changes nothing and reports false")
    void staleAck() {
      Progress p = probe(5, 9);
      p.sentEntries(1, 9, 1);
      assertFalse(p.maybeUpdate(5));
      assertFalse(p.maybeUpdate(3));
      assertEquals(5, p.matchIndex());
      assertEquals(9, p.nextIndex());
      assertTrue(p.isPaused(), "a stale ack does not answer the outstanding probe");
    }

    @Test
    @DisplayName("§5.3: a rejection of the outstanding probe backs nextIndex off to the hint")
    void rejectionBacksOff() {
      Progress p = probe(0, 10);
      p.sentEntries(0, 9, 0);
      assertTrue(p.maybeDecrTo(9, 4));
      assertEquals(5, p.nextIndex(), "next = min(rejected, hint + 1)");
      assertFalse(p.isPaused(), "the answer arrived, so probe again at once");
    }

    @Test
    @DisplayName("§5.3: a hint beyond the rejected index backs off by just one")
    void hintBeyondRejected() {
      Progress p = probe(0, 10);
      assertTrue(p.maybeDecrTo(9, 20));
      assertEquals(9, p.nextIndex());
    }

    @Test
    @DisplayName("§5.3: nextIndex never backs off to or below matchIndex")
    void neverBelowMatch() {
      Progress p = probe(3, 10);
      assertTrue(p.maybeDecrTo(9, 0));
      assertEquals(4, p.nextIndex());
      assertEquals(3, p.matchIndex());
    }

    @Test
    @DisplayName("§5.3: a rejection of an earlier probe is stale and ignored")
    void staleRejection() {
      Progress p = probe(0, 10);
      assertTrue(p.maybeDecrTo(9, 4)); // next = 5
      p.sentEntries(0, 4, 0);
      assertFalse(p.maybeDecrTo(9, 4), "a duplicate of the first rejection");
      assertFalse(p.maybeDecrTo(7, 2), "not the probe we sent (prevIndex 4)");
      assertEquals(5, p.nextIndex());
      assertTrue(p.isPaused(), "the outstanding probe is still unanswered");
    }
  }

  @Nested
  @DisplayName("REPLICATE")
  class Replicate {
    @Test
    @DisplayName("becomeReplicate restarts from matchIndex + 1")
    void become() {
      Progress p = probe(4, 9);
      p.becomeReplicate();
      assertEquals(State.REPLICATE, p.state());
      assertEquals(5, p.nextIndex());
      assertFalse(p.isPaused());
    }

    @Test
    @DisplayName("sending pipelines: nextIndex moves past the sent entries at once")
    void pipelining() {
      Progress p = replicate(4);
      p.sentEntries(2, 6, 100);
      assertEquals(7, p.nextIndex());
      p.sentEntries(3, 9, 100);
      assertEquals(10, p.nextIndex());
      assertEquals(2, p.inflights().count());
      assertEquals(4, p.matchIndex());
      assertFalse(p.isPaused());
    }

    @Test
    @DisplayName("an empty append (heartbeat-like) takes no slot in the window")
    void emptyAppend() {
      Progress p = replicate(4);
      p.sentEntries(0, 4, 0);
      assertEquals(5, p.nextIndex());
      assertEquals(0, p.inflights().count());
    }

    @Test
    @DisplayName("paused while the inflight window is full; freeing a slot unpauses")
    void pausedWhenWindowFull() {
      Progress p = replicate(0);
      p.sentEntries(1, 1, 1);
      p.sentEntries(1, 2, 1);
      assertFalse(p.isPaused());
      p.sentEntries(1, 3, 1);
      assertTrue(p.isPaused());
      assertTrue(p.maybeUpdate(1));
      assertTrue(p.isPaused(), "maybeUpdate alone does not free the window");
      p.inflights().freeLE(1);
      assertFalse(p.isPaused());
    }

    @Test
    @DisplayName("paused when the bytes in flight reach the limit")
    void pausedByBytes() {
      Progress p = new Progress(0, 1, 100, 1000);
      p.becomeReplicate();
      p.sentEntries(5, 5, 600);
      assertFalse(p.isPaused());
      p.sentEntries(5, 10, 400);
      assertTrue(p.isPaused());
      p.inflights().freeLE(5);
      assertFalse(p.isPaused());
    }

    @Test
    @DisplayName("§5.3: an acknowledgement behind nextIndex raises matchIndex, not nextIndex")
    void ackBehindNext() {
      Progress p = replicate(4);
      p.sentEntries(5, 9, 10);
      assertTrue(p.maybeUpdate(7));
      assertEquals(7, p.matchIndex());
      assertEquals(10, p.nextIndex());
    }

    @Test
    @DisplayName("§5.3: a rejection at or below matchIndex is stale and ignored")
    void staleRejection() {
      Progress p = replicate(5);
      p.sentEntries(4, 9, 10);
      assertFalse(p.maybeDecrTo(5, 0));
      assertFalse(p.maybeDecrTo(3, 0));
      assertEquals(10, p.nextIndex());
      assertEquals(5, p.matchIndex());
    }

    @Test
    @DisplayName("§5.3: a fresh rejection restarts from matchIndex + 1, whatever the hint")
    void freshRejection() {
      Progress p = replicate(5);
      p.sentEntries(4, 9, 10);
      assertTrue(p.maybeDecrTo(8, 2));
      assertEquals(6, p.nextIndex());
      assertEquals(5, p.matchIndex());
    }

    @Test
    @DisplayName("an unreachable follower drops back to PROBE from matchIndex + 1")
    void unreachable() {
      Progress p = replicate(5);
      p.sentEntries(4, 9, 10);
      p.onUnreachable();
      assertEquals(State.PROBE, p.state());
      assertEquals(6, p.nextIndex());
      assertEquals(0, p.inflights().count(), "the window is reset");
      assertFalse(p.isPaused());
      p.onUnreachable(); // no effect in PROBE
      assertEquals(State.PROBE, p.state());
      assertEquals(6, p.nextIndex());
    }

    @Test
    @DisplayName("becomeProbe from REPLICATE resets the window and restarts at matchIndex + 1")
    void becomeProbe() {
      Progress p = replicate(5);
      p.sentEntries(1, 6, 1);
      p.sentEntries(1, 7, 1);
      p.sentEntries(1, 8, 1);
      assertTrue(p.isPaused());
      p.becomeProbe();
      assertEquals(State.PROBE, p.state());
      assertEquals(6, p.nextIndex());
      assertEquals(0, p.inflights().count());
      assertFalse(p.isPaused());
    }
  }

  @Nested
  @DisplayName("SNAPSHOT")
  class SnapshotState {
    @Test
    @DisplayName("§7: while a snapshot is in flight the follower is paused")
    void becomeSnapshot() {
      Progress p = replicate(3);
      p.sentEntries(1, 4, 1);
      p.becomeSnapshot(20);
      assertEquals(State.SNAPSHOT, p.state());
      assertEquals(20, p.pendingSnapshot());
      assertTrue(p.isPaused());
      assertEquals(0, p.inflights().count());
      assertTrue(p.toString().contains("pendingSnap=20"), p.toString());
    }

    @Test
    @DisplayName("§7: a delivered snapshot probes after it, paused until the follower answers")
    void snapshotSent() {
      Progress p = replicate(3);
      p.becomeSnapshot(20);
      p.onSnapshotSent(true);
      assertEquals(State.PROBE, p.state());
      assertEquals(21, p.nextIndex());
      assertEquals(3, p.matchIndex());
      assertEquals(0, p.pendingSnapshot());
      assertTrue(p.isPaused());
      p.onHeartbeatResponse();
      assertFalse(p.isPaused());
    }

    @Test
    @DisplayName("§7: a failed snapshot probes from matchIndex + 1, paused until a heartbeat")
    void snapshotFailed() {
      Progress p = replicate(3);
      p.becomeSnapshot(20);
      p.onSnapshotSent(false);
      assertEquals(State.PROBE, p.state());
      assertEquals(4, p.nextIndex());
      assertEquals(0, p.pendingSnapshot());
      assertTrue(p.isPaused());
    }

    @Test
    @DisplayName("onSnapshotSent outside SNAPSHOT state is ignored")
    void snapshotSentIgnored() {
      Progress p = replicate(3);
      p.sentEntries(1, 4, 1);
      p.onSnapshotSent(true);
      assertEquals(State.REPLICATE, p.state());
      assertEquals(5, p.nextIndex());
      assertEquals(1, p.inflights().count());
    }

    @Test
    @DisplayName("§7: the follower's ack of the snapshot raises matchIndex past it")
    void snapshotAcked() {
      Progress p = replicate(3);
      p.becomeSnapshot(20);
      assertTrue(p.maybeUpdate(20));
      assertEquals(20, p.matchIndex());
      assertEquals(21, p.nextIndex());
      assertTrue(p.isPaused(), "still SNAPSHOT until the caller moves it on");
      p.becomeProbe();
      assertEquals(21, p.nextIndex());
      p.becomeReplicate();
      assertEquals(21, p.nextIndex());
    }

    @Test
    @DisplayName("§7: leaving SNAPSHOT for PROBE keeps nextIndex past a higher matchIndex")
    void probeAfterSnapshotBelowMatch() {
      Progress p = replicate(30);
      p.becomeSnapshot(20);
      p.becomeProbe();
      assertEquals(31, p.nextIndex());
    }
  }

  /** The transitions the leader's answers drive, each owned by Progress (etcd's stepLeader). */
  @Nested
  @DisplayName("transitions on the follower's answers")
  class Transitions {
    @Test
    @DisplayName("§5.3: an accepted probe means the logs match: PROBE becomes REPLICATE")
    void probeAckedBecomesReplicate() {
      Progress p = probe(0, 10);
      p.sentEntries(0, 9, 0);
      assertTrue(p.onAppendAccepted(9, 1));
      assertEquals(State.REPLICATE, p.state());
      assertEquals(9, p.matchIndex());
      assertEquals(10, p.nextIndex());
      assertFalse(p.isPaused());
    }

    @Test
    @DisplayName("§5.3: a probe answered at matchIndex still finds the match: REPLICATE")
    void probeAnsweredAtMatchBecomesReplicate() {
      Progress p = probe(5, 6);
      assertFalse(p.maybeUpdate(5), "not news to maybeUpdate");
      assertTrue(p.onAppendAccepted(5, 1), "but news to the probe");
      assertEquals(State.REPLICATE, p.state());
      assertEquals(6, p.nextIndex());
    }

    @Test
    @DisplayName("§5.3: a stale acceptance changes no state")
    void staleAcceptance() {
      Progress p = replicate(5);
      p.sentEntries(2, 7, 2);
      assertFalse(p.onAppendAccepted(4, 1));
      assertEquals(State.REPLICATE, p.state());
      assertEquals(1, p.inflights().count(), "nothing freed");
      Progress q = probe(5, 9);
      assertFalse(q.onAppendAccepted(3, 1));
      assertEquals(State.PROBE, q.state());
    }

    @Test
    @DisplayName("§5.3: in REPLICATE an acceptance frees the in-flight appends it covers")
    void replicateAckFreesInflight() {
      Progress p = replicate(0);
      p.sentEntries(1, 1, 1);
      p.sentEntries(1, 2, 1);
      p.sentEntries(1, 3, 1);
      assertTrue(p.isPaused());
      assertTrue(p.onAppendAccepted(2, 1));
      assertEquals(1, p.inflights().count(), "appends up to 2 freed, 3 still in flight");
      assertFalse(p.isPaused());
      assertEquals(State.REPLICATE, p.state());
      assertEquals(4, p.nextIndex(), "pipelining is not rewound");
    }

    @Test
    @DisplayName("§7: an acknowledged snapshot that reaches our log resumes REPLICATE after it")
    void snapshotAckedBecomesReplicate() {
      Progress p = replicate(3);
      p.becomeSnapshot(20);
      assertTrue(p.onAppendAccepted(20, 21));
      assertEquals(State.REPLICATE, p.state());
      assertEquals(21, p.nextIndex());
      assertEquals(0, p.pendingSnapshot());
    }

    @Test
    @DisplayName("§7: an acknowledgement short of our first entry stays in SNAPSHOT")
    void snapshotAckedShortStays() {
      Progress p = replicate(3);
      p.becomeSnapshot(20);
      assertTrue(p.onAppendAccepted(10, 21), "news: matchIndex rises");
      assertEquals(State.SNAPSHOT, p.state(), "entries 11..20 are gone: keep waiting");
      assertEquals(10, p.matchIndex());
      assertTrue(p.isPaused());
    }

    @Test
    @DisplayName("§5.3: a fresh rejection in REPLICATE falls back to PROBE from matchIndex + 1")
    void replicateRejectedBecomesProbe() {
      Progress p = replicate(5);
      p.sentEntries(4, 9, 10);
      assertTrue(p.onAppendRejected(8, 2));
      assertEquals(State.PROBE, p.state());
      assertEquals(6, p.nextIndex());
      assertEquals(0, p.inflights().count(), "the pipelined appends are forgotten");
      assertFalse(p.isPaused());
    }

    @Test
    @DisplayName("§5.3: a stale rejection in REPLICATE keeps streaming")
    void replicateStaleRejection() {
      Progress p = replicate(5);
      p.sentEntries(4, 9, 10);
      assertFalse(p.onAppendRejected(5, 0));
      assertEquals(State.REPLICATE, p.state());
      assertEquals(10, p.nextIndex());
      assertEquals(1, p.inflights().count());
    }

    @Test
    @DisplayName("§5.3: a rejected probe stays in PROBE and backs off to the hint")
    void probeRejectedBacksOff() {
      Progress p = probe(0, 10);
      p.sentEntries(0, 9, 0);
      assertTrue(p.onAppendRejected(9, 4));
      assertEquals(State.PROBE, p.state());
      assertEquals(5, p.nextIndex());
      assertFalse(p.isPaused());
    }
  }

  @Test
  @DisplayName("toString shows state, match, next and the window")
  void string() {
    Progress p = replicate(4);
    p.sentEntries(2, 6, 1);
    assertEquals("REPLICATE match=4 next=7 inflight=1", p.toString());
  }
}
