package raft.jepsen.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.jepsen.client.ReplicaHashes.Hash;

class ReplicaCheckTest {

  private static Hash hash(String ep, long h, long compact) {
    return new Hash(ep, h, compact, null);
  }

  @Test
  @DisplayName("§5.4.3: equal hashes pass; one differing member is named")
  void differingReplicaIsAProblem() {
    assertTrue(ReplicaCheck.check(9, List.of(hash("a", 7, 0), hash("b", 7, 0), hash("c", 7, 0)))
        .ok());
    ReplicaVerdict v = ReplicaCheck.check(9,
        List.of(hash("a", 7, 0), hash("b", 8, 0), hash("c", 7, 0)));
    assertFalse(v.ok());
    assertEquals(List.of("replicas differ at revision 9 (compacted at 0): {7=[a, c], 8=[b]}"),
        v.problems());
  }

  @Test
  @DisplayName("members hashed after different compactions are compared only within each")
  void compactionsAreComparedApart() {
    assertTrue(ReplicaCheck.check(9, List.of(hash("a", 7, 0), hash("b", 5, 4))).ok());
  }

  @Test
  @DisplayName("a member that gives no hash after healing is a problem")
  void silentMemberIsAProblem() {
    ReplicaVerdict v = ReplicaCheck.check(9,
        List.of(hash("a", 7, 0), new Hash("b", 0, 0, "UNAVAILABLE")));
    assertEquals(List.of("b gave no hash at revision 9: UNAVAILABLE"), v.problems());
  }
}
