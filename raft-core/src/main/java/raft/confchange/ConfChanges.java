package raft.confchange;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.Set;
import java.util.TreeSet;
import raft.pb.ConfChange;
import raft.pb.ConfChangeSingle;
import raft.pb.ConfChangeTransition;
import raft.pb.ConfChangeV2;
import raft.pb.ConfState;
import raft.pb.Entry;
import raft.pb.EntryType;

/**
 * What a membership change does to a configuration: one pure function, {@link #apply}, used by
 * the protocol (the configuration in force), by the runtime (the {@link ConfState} a snapshot
 * records) and by recovery, so that all three always agree. Modelled on etcd's confchange
 * package.
 *
 * <p>A change that makes no sense for the configuration it meets (leaving a joint configuration
 * that is not joint, removing every voter, changing two voters without joint consensus) is
 * refused: the configuration stays as it was, on every member alike, since each member folds
 * the same entries in the same order.
 */
public final class ConfChanges {
  private ConfChanges() {}

  /** The outcome of applying a change: the new configuration, or the old one and a reason. */
  public record Result(ConfState after, String refused) {
    static Result refuse(ConfState before, String why) {
      return new Result(before, why);
    }
  }

  /** The change an entry carries, as a v2 change; null for a normal entry. */
  public static ConfChangeV2 decode(Entry e) {
    try {
      return switch (e.getType()) {
        case ENTRY_CONF_CHANGE -> toV2(ConfChange.parseFrom(e.getData()));
        case ENTRY_CONF_CHANGE_V2 -> ConfChangeV2.parseFrom(e.getData());
        default -> null;
      };
    } catch (InvalidProtocolBufferException ex) {
      // The leader parses every change it accepts (RaftNode.proposeConfChange builds them).
      throw new IllegalStateException("entry " + e.getIndex() + " holds no valid change", ex);
    }
  }

  public static boolean isConfChange(Entry e) {
    return e.getType() == EntryType.ENTRY_CONF_CHANGE
        || e.getType() == EntryType.ENTRY_CONF_CHANGE_V2;
  }

  public static ConfChangeV2 toV2(ConfChange cc) {
    return ConfChangeV2.newBuilder().setContext(cc.getContext())
        .addChanges(ConfChangeSingle.newBuilder().setType(cc.getType())
            .setNodeId(cc.getNodeId())).build();
  }

  public static boolean isJoint(ConfState cs) {
    return cs.getVotersOutgoingCount() > 0;
  }

  /** Every voter, of both halves of a joint configuration. */
  public static Set<Long> voters(ConfState cs) {
    TreeSet<Long> all = new TreeSet<>(cs.getVotersList());
    all.addAll(cs.getVotersOutgoingList());
    return all;
  }

  /** Every member the leader replicates to: voters and learners. */
  public static Set<Long> members(ConfState cs) {
    TreeSet<Long> all = new TreeSet<>(voters(cs));
    all.addAll(cs.getLearnersList());
    all.addAll(cs.getLearnersNextList());
    return all;
  }

  /** An empty change leaves a joint configuration (thesis §4.3: C_old,new then C_new). */
  public static boolean leavesJoint(ConfChangeV2 cc) {
    return cc.getChangesCount() == 0;
  }

  /**
   * etcd's rule: more than one change, or an explicit transition, goes through a joint step.
   * A single change alters at most one voter, which thesis §4.1 allows directly: every
   * majority of the old voters overlaps every majority of the new.
   */
  public static boolean entersJoint(ConfChangeV2 cc) {
    return cc.getTransition() != ConfChangeTransition.CONF_CHANGE_TRANSITION_AUTO
        || cc.getChangesCount() > 1;
  }

  /** The configuration after {@code cc}, or {@code before} and the reason it was refused. */
  public static Result apply(ConfState before, ConfChangeV2 cc) {
    if (leavesJoint(cc)) {
      return isJoint(before) ? new Result(leaveJoint(before), null)
          : Result.refuse(before, "not in a joint configuration: nothing to leave");
    }
    if (isJoint(before)) {
      return Result.refuse(before, "already in a joint configuration: leave it first");
    }
    if (before.getVotersCount() == 0 && !isBootstrapAdd(cc)) {
      return Result.refuse(before, "no configuration yet: only adding a voter may start one");
    }
    Members m = Members.of(before);
    boolean joint = entersJoint(cc);
    if (joint) {
      m.outgoing.addAll(m.incoming);
    }
    for (ConfChangeSingle c : cc.getChangesList()) {
      m.change(c);
    }
    if (m.incoming.isEmpty()) {
      return Result.refuse(before, "the change would remove every voter");
    }
    boolean autoLeave = joint
        && cc.getTransition() != ConfChangeTransition.CONF_CHANGE_TRANSITION_JOINT_EXPLICIT;
    return new Result(m.toConfState(autoLeave), null);
  }

  /** A new cluster's first entries add voters one by one to an empty configuration. */
  private static boolean isBootstrapAdd(ConfChangeV2 cc) {
    return cc.getChangesCount() == 1
        && cc.getChanges(0).getType() == raft.pb.ConfChangeType.CONF_CHANGE_ADD_NODE;
  }

  private static ConfState leaveJoint(ConfState cs) {
    Members m = Members.of(cs);
    m.learners.addAll(m.learnersNext); // demoted voters become learners now that C_old is gone
    m.learnersNext.clear();
    m.outgoing.clear();
    return m.toConfState(false);
  }
}
