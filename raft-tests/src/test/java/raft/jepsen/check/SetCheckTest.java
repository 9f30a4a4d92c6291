package raft.jepsen.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class SetCheckTest {

  @Test
  void everythingAcknowledgedPresentIsOk() {
    SetVerdict v = SetCheck.check(Set.of("1", "2"), Set.of("3", "4"), Set.of("1", "2", "3"));
    assertTrue(v.ok());
    assertEquals(2, v.acknowledged());
    assertEquals(Set.of("3"), v.recovered());
    assertTrue(v.lost().isEmpty());
    assertTrue(v.unexpected().isEmpty());
  }

  @Test
  void acknowledgedAddMissingFromFinalReadIsLost() {
    SetVerdict v = SetCheck.check(Set.of("1", "2", "3"), Set.of(), Set.of("1"));
    assertFalse(v.ok());
    assertEquals(Set.of("2", "3"), v.lost());
  }

  @Test
  void elementNeverAttemptedIsUnexpected() {
    SetVerdict v = SetCheck.check(Set.of("1"), Set.of("2"), Set.of("1", "2", "99"));
    assertFalse(v.ok());
    assertEquals(Set.of("99"), v.unexpected());
    assertEquals(Set.of("2"), v.recovered());
    assertTrue(v.lost().isEmpty());
  }
}
