package raft.kv.cluster;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import raft.kv.api.etcdserverpb.Member;

/**
 * Member ids and node names, both ways. Ids are the cluster's (unique, never reused, so not a
 * node's position); the member list says which id is which node, by peer URL. Without a member
 * list, the old rule stands: member k is node nK (a cluster that never changed its membership).
 */
record Ids(Map<Long, Integer> nodeById, Map<Integer, Long> idByNode) {

  static Ids of(ClusterLayout l, List<Member> members) {
    Map<Long, Integer> byId = new HashMap<>();
    Map<Integer, Long> byNode = new HashMap<>();
    for (Member m : members) {
      l.nodeOf(m).ifPresent(k -> {
        byId.put(m.getID(), k);
        byNode.put(k, m.getID());
      });
    }
    return new Ids(byId, byNode);
  }

  /** The fallback: member id k is node nK. */
  static Ids ofNodes() {
    Map<Long, Integer> byId = new HashMap<>();
    Map<Integer, Long> byNode = new HashMap<>();
    for (int k = 1; k <= ClusterLayout.MAX_NODES; k++) {
      byId.put((long) k, k);
      byNode.put(k, (long) k);
    }
    return new Ids(byId, byNode);
  }

  /** nK for a known id, "-" for none (0), the id in hex otherwise. */
  String name(long id) {
    if (id == 0) {
      return "-";
    }
    Integer k = nodeById.get(id);
    return k != null ? ClusterLayout.name(k) : Long.toHexString(id);
  }

  /** Node k's member id; k itself when the member list does not name it (the old rule). */
  long id(int k) {
    return idByNode.getOrDefault(k, (long) k);
  }
}
