package raft.confchange;

import java.util.TreeSet;
import raft.pb.ConfChangeSingle;
import raft.pb.ConfState;

/** A mutable copy of a {@link ConfState}, sorted so that results are the same everywhere. */
final class Members {
  final TreeSet<Long> incoming = new TreeSet<>();
  final TreeSet<Long> outgoing = new TreeSet<>();
  final TreeSet<Long> learners = new TreeSet<>();
  final TreeSet<Long> learnersNext = new TreeSet<>();

  static Members of(ConfState cs) {
    Members m = new Members();
    m.incoming.addAll(cs.getVotersList());
    m.outgoing.addAll(cs.getVotersOutgoingList());
    m.learners.addAll(cs.getLearnersList());
    m.learnersNext.addAll(cs.getLearnersNextList());
    return m;
  }

  void change(ConfChangeSingle c) {
    long id = c.getNodeId();
    switch (c.getType()) {
      case CONF_CHANGE_ADD_NODE -> { // a new voter, or a learner promoted
        learners.remove(id);
        learnersNext.remove(id);
        incoming.add(id);
      }
      case CONF_CHANGE_ADD_LEARNER_NODE -> {
        incoming.remove(id);
        // A voter of C_old cannot be a learner while C_old still counts: it becomes one when
        // the joint configuration is left.
        (outgoing.contains(id) ? learnersNext : learners).add(id);
      }
      case CONF_CHANGE_REMOVE_NODE -> {
        incoming.remove(id);
        learners.remove(id);
        learnersNext.remove(id);
      }
      default -> { } // UPDATE_NODE and unknown types change no one's role
    }
  }

  ConfState toConfState(boolean autoLeave) {
    return ConfState.newBuilder().addAllVoters(incoming).addAllVotersOutgoing(outgoing)
        .addAllLearners(learners).addAllLearnersNext(learnersNext).setAutoLeave(autoLeave)
        .build();
  }
}
