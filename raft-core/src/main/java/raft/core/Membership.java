package raft.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import raft.confchange.ConfChanges;
import raft.pb.ConfChange;
import raft.pb.ConfChangeV2;
import raft.pb.ConfState;
import raft.pb.Entry;
import raft.pb.EntryType;
import raft.pb.Message;
import raft.pb.MessageType;

/**
 * Membership changes (thesis chapter 4), the mechanics around {@link Raft}'s rules: which
 * changes a leader accepts, what a new configuration does to the leader's book-keeping, leaving
 * a joint configuration, a removed leader stepping down, and a new cluster's first entries.
 *
 * <p>The rule of when a configuration takes effect is thesis §4.1's: as soon as its entry is in
 * a member's log, committed or not ({@link raft.confchange.ConfHistory}); a snapshot records
 * the configuration as of its index, and recovery folds the log after it the same way.
 */
final class Membership {
  private final Raft r;

  Membership(Raft r) {
    this.r = r;
  }

  /** Why the leader refuses to propose these entries now; null if it may. */
  String refusal(List<Entry> ents) {
    ConfChangeV2 change = null;
    for (Entry e : ents) { // every proposal passes here: allocate nothing for normal entries
      if (ConfChanges.isConfChange(e)) {
        if (change != null) {
          return "one change at a time (thesis §4.1)";
        }
        change = ConfChanges.decode(e);
      }
    }
    if (change == null) {
      return null;
    }
    if (r.ownTermEntryUnapplied()) {
      return "this leader has not yet committed an entry of its term (raft-dev 2015 fix)";
    }
    if (r.earlierChangePending()) {
      return "an earlier change is not applied yet (thesis §4.1)";
    }
    if (addsMember(change) && !newMembersCanLearnTheMembership()) {
      return "this log does not start with its membership: take a snapshot first";
    }
    return ConfChanges.apply(r.confState(), change).refused();
  }

  private boolean addsMember(ConfChangeV2 cc) {
    Set<Long> members = ConfChanges.members(r.confState());
    return cc.getChangesList().stream().anyMatch(c -> !members.contains(c.getNodeId()));
  }

  /**
   * A member that joins starts with an empty log and no configuration, and learns the
   * membership from what the leader sends it: a snapshot (its ConfState), or the log from
   * index 1, which must then begin with the bootstrap entries. A log made before those, whose
   * first membership is only in the empty snapshot at index 0, cannot teach it: it would build
   * a configuration from the later changes alone. Such a cluster grows once it has a snapshot.
   */
  private boolean newMembersCanLearnTheMembership() {
    return r.log.firstIndex() > 1 || r.confStateAt(0).getVotersCount() == 0;
  }

  /**
   * Thesis §4.2.2: "a server that is not part of its own latest configuration should still start
   * new elections, as it might still be needed until the C_new entry is committed" (a leader
   * that removed itself and lost its quorum before the change committed). Its own vote does
   * not count: the tally is over the voters of its latest configuration.
   */
  boolean removalUncommitted() {
    long last = r.confs.lastChangeIndex();
    return last > r.log.commitIndex()
        && ConfChanges.voters(r.confs.at(last - 1)).contains(r.id);
  }

  /** The configuration in force changed: after an append, a truncation or a snapshot. */
  void switchToConfig() {
    Set<Long> before = new HashSet<>(r.trk.all().keySet());
    r.trk.applyConf(r.confs.current(), r.log.lastIndex());
    r.trk.all().forEach((id, p) -> {
      if (!before.contains(id) && id != r.id) {
        r.initJoinedProgress(p);
      }
    });
    if (r.role != StateRole.LEADER) {
      return;
    }
    if (r.leadTransferee != 0 && !r.trk.voters().contains(r.leadTransferee)) {
      r.leadTransferee = 0; // thesis §3.10: the transferee is no longer a voter
    }
    if (r.maybeCommit()) {
      r.replication.onCommitAdvanced(); // a smaller majority may commit at once
    }
  }

  /**
   * Thesis §4.2.2: a leader that the configuration leaves out keeps leading (without counting
   * itself) until that configuration is committed, then steps down.
   */
  void onCommitted() {
    if (r.role == StateRole.LEADER && !r.trk.voters().contains(r.id)
        && r.log.commitIndex() >= r.confs.lastChangeIndex()) {
      r.becomeFollower(r.currentTerm, 0);
    }
  }

  /**
   * Thesis §4.3: once the joint configuration C_old,new is applied, the leader proposes C_new
   * by itself (an empty change leaves the joint configuration), unless it was entered with an
   * explicit transition.
   */
  void onApplied() {
    ConfState cs = r.confState();
    if (r.role == StateRole.LEADER && cs.getAutoLeave() && ConfChanges.isJoint(cs)
        && r.log.lastApplied() >= r.confs.lastChangeIndex()) {
      r.step(Message.newBuilder().setType(MessageType.MSG_PROP).setFrom(r.id)
          .addEntries(entry(ConfChangeV2.getDefaultInstance())).build());
    }
  }

  static Entry entry(ConfChangeV2 cc) {
    return Entry.newBuilder().setType(EntryType.ENTRY_CONF_CHANGE_V2)
        .setData(cc.toByteString()).build();
  }

  /**
   * A brand-new cluster's first entries, as etcd's Bootstrap writes them: one committed change
   * per initial voter, at indexes 1..n of term 1, so that a member that joins later learns the
   * whole membership from the log itself.
   */
  void bootstrap(List<ConfChange> members) {
    if (r.log.lastIndex() != 0 || r.confState().getVotersCount() > 0) {
      throw new IllegalStateException("bootstrap: this member already has a log or members");
    }
    List<Entry> ents = new ArrayList<>();
    for (ConfChange cc : members) {
      ents.add(Entry.newBuilder().setTerm(1).setIndex(ents.size() + 1)
          .setType(EntryType.ENTRY_CONF_CHANGE).setData(cc.toByteString()).build());
    }
    r.log.append(ents);
    r.log.commitTo(ents.size());
    r.onAppended(ents);
    r.becomeFollower(1, 0);
  }
}
