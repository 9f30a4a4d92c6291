package raft.sim;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import raft.confchange.ConfChanges;
import raft.core.Config;
import raft.core.RaftNode;
import raft.core.Ready;
import raft.core.ReadyPipeline;
import raft.log.MemoryStorage;
import raft.pb.ConfChange;
import raft.pb.ConfChangeSingle;
import raft.pb.ConfChangeType;
import raft.pb.ConfChangeV2;
import raft.pb.ConfState;
import raft.pb.Entry;

/** Configurations for the simulator: a new cluster's first entries, folding, and names. */
final class Configs {
  private Configs() {}

  /**
   * A founding member's disk: the core's own Bootstrap entries (one committed ADD_NODE per
   * founding member, indexes 1..n, term 1), written and durable before the run starts, as a
   * real member writes them on an empty data directory before it talks to anyone.
   */
  static MemoryStorage bootstrap(List<Long> peers) {
    MemoryStorage s = new MemoryStorage();
    Config c = new Config();
    c.id = peers.get(0);
    c.storage = s;
    c.random = new SplittableRandom(0);
    RaftNode node = new RaftNode(c);
    List<ConfChange> members = new ArrayList<>();
    for (long id : peers) {
      members.add(ConfChange.newBuilder().setType(ConfChangeType.CONF_CHANGE_ADD_NODE)
          .setNodeId(id).setContext(ByteString.copyFromUtf8("n" + id)).build());
    }
    node.bootstrap(members);
    Ready rd = node.ready();
    // Only the log and the HardState (term 1, commit n): the Ready's messages, soft state and
    // committed entries are this throw-away node's, not the member's.
    ReadyPipeline.writeTo(s, rd);
    return s;
  }

  /** The configuration after entry {@code e}: unchanged by a normal entry. */
  static ConfState afterEntry(ConfState cs, Entry e) {
    ConfChangeV2 cc = ConfChanges.decode(e);
    return cc == null ? cs : ConfChanges.apply(cs, cc).after();
  }

  /** Whether two configurations have the same members in the same roles. */
  static boolean same(ConfState a, ConfState b) {
    return a.equals(b) || (sorted(a.getVotersList()).equals(sorted(b.getVotersList()))
        && sorted(a.getVotersOutgoingList()).equals(sorted(b.getVotersOutgoingList()))
        && sorted(a.getLearnersList()).equals(sorted(b.getLearnersList()))
        && sorted(a.getLearnersNextList()).equals(sorted(b.getLearnersNextList()))
        && a.getAutoLeave() == b.getAutoLeave());
  }

  private static Set<Long> sorted(List<Long> l) {
    return new java.util.TreeSet<>(l);
  }

  /** "voters {n1,n2,n3}, learners {n4}", "joint {n1,n2,n4} & {n1,n2,n3}, learners {}". */
  static String describe(ConfState cs) {
    String v = ConfChanges.isJoint(cs)
        ? "joint " + names(cs.getVotersList()) + " & " + names(cs.getVotersOutgoingList())
        : "voters " + names(cs.getVotersList());
    return v + ", learners " + names(cs.getLearnersList())
        + (cs.getLearnersNextCount() > 0 ? " (next " + names(cs.getLearnersNextList()) + ")" : "");
  }

  /** "add learner n6", "promote n6 + remove n2 (joint)", "leave joint". */
  static String describe(ConfChangeV2 cc) {
    if (cc.getChangesCount() == 0) {
      return "leave joint";
    }
    StringBuilder b = new StringBuilder();
    for (ConfChangeSingle c : cc.getChangesList()) {
      b.append(b.length() > 0 ? " + " : "").append(switch (c.getType()) {
        case CONF_CHANGE_ADD_NODE -> "add voter";
        case CONF_CHANGE_ADD_LEARNER_NODE -> "add learner";
        case CONF_CHANGE_REMOVE_NODE -> "remove";
        default -> "update";
      }).append(" n").append(c.getNodeId());
    }
    return b + (ConfChanges.entersJoint(cc) ? " (joint)" : "");
  }

  static String names(java.util.Collection<Long> ids) {
    StringBuilder b = new StringBuilder("{");
    for (long i : sorted(new ArrayList<>(ids))) {
      b.append(b.length() > 1 ? "," : "").append('n').append(i);
    }
    return b.append('}').toString();
  }

  static ConfChangeSingle single(ConfChangeType t, long id) {
    return ConfChangeSingle.newBuilder().setType(t).setNodeId(id).build();
  }
}
