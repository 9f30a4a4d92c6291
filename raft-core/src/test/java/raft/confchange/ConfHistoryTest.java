package raft.confchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.pb.ConfState;
import raft.pb.Entry;
import raft.pb.EntryType;

class ConfHistoryTest {
  static Entry change(long index, long term, long addVoter) {
    return Entry.newBuilder().setIndex(index).setTerm(term)
        .setType(EntryType.ENTRY_CONF_CHANGE_V2)
        .setData(ConfChangesTest.add(addVoter).toByteString()).build();
  }

  static Entry normal(long index, long term) {
    return Entry.newBuilder().setIndex(index).setTerm(term).build();
  }

  @Test
  @DisplayName("§4.1: the latest configuration in the log is in force; an overwritten change is"
      + " taken back; at(i) is the configuration a snapshot at i records")
  void latestInTheLog() {
    ConfHistory h = new ConfHistory(ConfChangesTest.ABC, 0);
    assertTrue(h.onAppend(List.of(normal(1, 1), change(2, 1, 4), normal(3, 1)), 3));
    assertEquals(List.of(1L, 2L, 3L, 4L), h.current().getVotersList());
    assertEquals(2, h.lastChangeIndex());
    assertEquals(ConfChangesTest.ABC, h.at(1));
    assertEquals(h.current(), h.at(3));
    // A new leader's entries from index 2 on replace ours: the change at 2 goes with them.
    assertTrue(h.onAppend(List.of(normal(2, 2), normal(3, 2)), 3));
    assertEquals(ConfChangesTest.ABC, h.current());
    assertEquals(0, h.lastChangeIndex());
    assertFalse(h.onAppend(List.of(normal(4, 2)), 4));
    h.reset(ConfState.newBuilder().addVoters(9).build(), 10);
    assertEquals(List.of(9L), h.current().getVotersList());
    assertEquals(10, h.lastChangeIndex());
  }

  @Test
  @DisplayName("§4.1, §5.3: a stale append that matches keeps our later change; one that"
      + " truncates our tail takes it back")
  void followerTail() {
    ConfHistory h = new ConfHistory(ConfChangesTest.ABC, 0);
    h.onAppend(List.of(normal(1, 1), normal(2, 1), change(3, 1, 4)), 3);
    assertFalse(h.onAppend(List.of(normal(1, 1)), 3), "entries 2 and 3 matched and stay");
    assertEquals(3, h.lastChangeIndex());
    assertTrue(h.onAppend(List.of(normal(2, 2)), 2), "the log now ends at 2");
    assertEquals(ConfChangesTest.ABC, h.current());
  }
}
