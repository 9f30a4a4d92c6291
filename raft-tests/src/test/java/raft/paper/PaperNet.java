package raft.paper;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import raft.core.Config;
import raft.core.Raft;
import raft.core.RaftNode;
import raft.log.MemoryStorage;
import raft.pb.ConfChange;
import raft.pb.ConfChangeType;
import raft.pb.Message;

/**
 * A few {@link PaperNode}s wired together for the membership tests: messages are delivered in
 * order until none is left, except to and from the members that are down. Members start as a
 * real cluster does, from the bootstrap entries (or, joining, from nothing).
 */
final class PaperNet {
  final Map<Long, PaperNode> nodes = new TreeMap<>();
  final Set<Long> down = new HashSet<>();
  private final ArrayDeque<Message> inFlight = new ArrayDeque<>();
  private final boolean preVoteAndCheckQuorum;

  PaperNet(boolean preVoteAndCheckQuorum) {
    this.preVoteAndCheckQuorum = preVoteAndCheckQuorum;
  }

  /** A member of a new cluster of {@code initial} voters (its log starts with them). */
  PaperNode bootstrapped(long id, long... initial) {
    PaperNode n = joining(id);
    List<ConfChange> members = new ArrayList<>();
    for (long v : initial) {
      members.add(ConfChange.newBuilder().setType(ConfChangeType.CONF_CHANGE_ADD_NODE)
          .setNodeId(v).build());
    }
    n.node().bootstrap(members);
    n.persist();
    return n;
  }

  /** A member with an empty log and no configuration: it waits to be sent the log. */
  PaperNode joining(long id) {
    return joining(id, Raft::new);
  }

  PaperNode joining(long id, java.util.function.Function<Config, Raft> factory) {
    Config c = new Config();
    c.id = id;
    c.storage = new MemoryStorage();
    c.random = new SplittableRandom(id);
    c.preVote = preVoteAndCheckQuorum;
    c.checkQuorum = preVoteAndCheckQuorum;
    PaperNode n = new PaperNode(new RaftNode(factory.apply(c)), (MemoryStorage) c.storage);
    nodes.put(id, n);
    return n;
  }

  void send(List<Message> msgs) {
    inFlight.addAll(msgs);
  }

  /** Delivers every message, and those they cause, until none is left. */
  void settle() {
    for (int i = 0; !inFlight.isEmpty(); i++) {
      if (i > 100_000) {
        throw new IllegalStateException("messages do not settle");
      }
      Message m = inFlight.poll();
      PaperNode to = nodes.get(m.getTo());
      if (to == null || down.contains(m.getTo()) || down.contains(m.getFrom())) {
        continue;
      }
      send(to.step(m));
    }
  }

  /** Ticks every member that is up, {@code n} times, settling after each tick. */
  void tick(int n) {
    for (int i = 0; i < n; i++) {
      for (var e : nodes.entrySet()) {
        if (!down.contains(e.getKey())) {
          send(e.getValue().tick(1));
        }
      }
      settle();
    }
  }

  PaperNode elect(long id) {
    PaperNode n = nodes.get(id);
    send(n.campaign());
    settle();
    return n;
  }

  /** Proposes on {@code leader}, failing the test if refused, and settles. */
  void change(long leader, raft.pb.ConfChangeV2 cc) {
    PaperNode n = nodes.get(leader);
    if (!n.tryChangeConf(cc)) {
      throw new AssertionError("change refused by " + leader + ": " + cc);
    }
    send(n.persist());
    settle();
  }
}
