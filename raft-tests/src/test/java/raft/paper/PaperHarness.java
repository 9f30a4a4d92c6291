package raft.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import raft.core.Config;
import raft.core.Raft;
import raft.core.RaftNode;
import raft.core.StateRole;
import raft.log.RaftLog;
import raft.pb.ConfState;
import raft.pb.Entry;
import raft.pb.HardState;
import raft.pb.Message;
import raft.pb.MessageType;
import raft.log.MemoryStorage;

/**
 * Builders and helpers for the paper tests. Nodes are built with PreVote and CheckQuorum OFF
 * unless a test asks for them, so that each test sees the plain rule of the paper it names;
 * the tests of those extensions switch them on explicitly.
 */
final class PaperHarness {
  private PaperHarness() {}

  static Builder node(long id) {
    return new Builder(id);
  }

  static final class Builder {
    private final long id;
    private List<Long> peers = List.of(1L, 2L, 3L);
    private int electionTick = 10;
    private int heartbeatTick = 1;
    private boolean preVote;
    private boolean checkQuorum;
    private long seed = 1;
    private final List<Entry> log = new ArrayList<>();
    private long term;
    private long vote;
    private long commit;
    private long snapshotIndex;
    private int maxInflight = 256;
    private Function<Config, Raft> factory = Raft::new;

    private Builder(long id) {
      this.id = id;
    }

    Builder peers(Long... ids) {
      peers = List.of(ids);
      return this;
    }

    Builder electionTick(int t) {
      electionTick = t;
      return this;
    }

    Builder heartbeatTick(int t) {
      heartbeatTick = t;
      return this;
    }

    Builder preVote() {
      preVote = true;
      return this;
    }

    Builder checkQuorum() {
      checkQuorum = true;
      return this;
    }

    /** The pipelining window: appends in flight to one follower. */
    Builder maxInflight(int n) {
      maxInflight = n;
      return this;
    }

    /** Builds the node's Raft with {@code f}: tests pass deliberately broken subclasses. */
    Builder raft(Function<Config, Raft> f) {
      factory = f;
      return this;
    }

    Builder seed(long s) {
      seed = s;
      return this;
    }

    /** A persisted log whose entries 1..n have these terms. */
    Builder log(long... terms) {
      log.clear();
      log.addAll(entries(1, terms));
      return this;
    }

    /** The persisted HardState the node restarts from. */
    Builder hardState(long term, long vote, long commit) {
      this.term = term;
      this.vote = vote;
      this.commit = commit;
      return this;
    }

    Builder term(long t) {
      return hardState(t, 0, commit);
    }

    /**
     * Snapshots the state machine at {@code index} (which must be committed) and discards the
     * log up to it (§7), as a runtime does after applying, before the node starts.
     */
    Builder compactedAt(long index) {
      snapshotIndex = index;
      return this;
    }

    PaperNode build() {
      MemoryStorage storage = new MemoryStorage();
      storage.append(log);
      storage.setHardState(HardState.newBuilder()
          .setTerm(term).setVote(vote).setCommit(commit).build());
      if (snapshotIndex > 0) {
        storage.createSnapshot(snapshotIndex, ConfState.newBuilder().addAllVoters(peers).build(),
            snapshotData(snapshotIndex));
        storage.compact(snapshotIndex);
      }
      Config c = new Config();
      c.id = id;
      c.peers = peers;
      c.electionTick = electionTick;
      c.heartbeatTick = heartbeatTick;
      c.preVote = preVote;
      c.checkQuorum = checkQuorum;
      c.storage = storage;
      c.random = new SplittableRandom(seed);
      c.applied = snapshotIndex;
      c.maxInflightMsgs = maxInflight;
      return new PaperNode(new RaftNode(factory.apply(c)), storage);
    }

    /** Builds the node and makes it leader of {@code leaderTerm}; its no-op is unacknowledged. */
    PaperNode leader(long leaderTerm) {
      hardState(leaderTerm - 1, 0, commit);
      PaperNode n = build();
      elect(n);
      assertEquals(leaderTerm, n.term(), "leader term");
      return n;
    }
  }

  /**
   * Campaigns and answers every (pre-)vote request with a grant from its addressee until the node
   * leads. Returns the messages sent by the step that made it leader (the §8 no-op appends).
   */
  static List<Message> elect(PaperNode n) {
    ArrayDeque<Message> queue = new ArrayDeque<>(n.campaign());
    while (n.role() != StateRole.LEADER) {
      Message m = queue.poll();
      if (m == null) {
        throw new AssertionError("node " + n.raft().id() + " could not win: " + n.role());
      }
      MessageType resp = switch (m.getType()) {
        case MSG_VOTE -> MessageType.MSG_VOTE_RESP;
        case MSG_PRE_VOTE -> MessageType.MSG_PRE_VOTE_RESP;
        default -> null;
      };
      if (resp == null) {
        continue;
      }
      List<Message> out = n.step(msg(resp, m.getTo(), m.getFrom(), m.getTerm()));
      if (n.role() == StateRole.LEADER) {
        return out;
      }
      queue.addAll(out);
    }
    return List.of();
  }

  /** Every follower acknowledges the leader's whole log: all progress REPLICATE, all committed. */
  static List<Message> ackAll(PaperNode leader) {
    List<Message> out = new ArrayList<>();
    long last = leader.raft().log().lastIndex();
    for (long peer : leader.raft().tracker().voters().ids()) {
      if (peer != leader.raft().id()) {
        out.addAll(leader.step(appResp(peer, leader.raft().id(), leader.term(), last)));
      }
    }
    return out;
  }

  static Message.Builder msg(MessageType type, long from, long to, long term) {
    return Message.newBuilder().setType(type).setFrom(from).setTo(to).setTerm(term);
  }

  static Message.Builder appResp(long from, long to, long term, long index) {
    return msg(MessageType.MSG_APP_RESP, from, to, term).setIndex(index);
  }

  /** An AppendEntries from {@code from} with prevLogIndex/prevLogTerm and leaderCommit. */
  static Message.Builder app(long from, long to, long term, long prevIndex, long prevTerm,
      long commit, Entry... ents) {
    return msg(MessageType.MSG_APP, from, to, term).setIndex(prevIndex).setLogTerm(prevTerm)
        .setCommit(commit).addAllEntries(Arrays.asList(ents));
  }

  static Entry entry(long index, long term) {
    return Entry.newBuilder().setIndex(index).setTerm(term).build();
  }

  static Entry entry(long index, long term, String data) {
    return entry(index, term).toBuilder().setData(ByteString.copyFromUtf8(data)).build();
  }

  /** Entries first, first+1, ... with the given terms. */
  static List<Entry> entries(long first, long... terms) {
    List<Entry> ents = new ArrayList<>();
    for (int i = 0; i < terms.length; i++) {
      ents.add(entry(first + i, terms[i]));
    }
    return ents;
  }

  /** The terms of a log's entries from firstIndex to lastIndex: a whole log at a glance. */
  static List<Long> terms(RaftLog log) {
    List<Long> t = new ArrayList<>();
    for (long i = log.firstIndex(); i <= log.lastIndex(); i++) {
      t.add(log.term(i));
    }
    return t;
  }

  static List<Long> terms(PaperNode n) {
    return terms(n.raft().log());
  }

  static List<Message> ofType(List<Message> msgs, MessageType t) {
    return msgs.stream().filter(m -> m.getType() == t).toList();
  }

  /** The one message of type t to {@code to}; fails if there is not exactly one. */
  static Message single(List<Message> msgs, MessageType t, long to) {
    List<Message> found = msgs.stream()
        .filter(m -> m.getType() == t && m.getTo() == to).toList();
    assertEquals(1, found.size(), () -> "expected one " + t + " to " + to + " in " + msgs);
    return found.get(0);
  }

  /** The ids the messages of type t went to, in order. */
  static List<Long> recipients(List<Message> msgs, MessageType t) {
    return ofType(msgs, t).stream().map(Message::getTo).toList();
  }

  /** The state machine image a snapshot at {@code index} carries in these tests. */
  static ByteString snapshotData(long index) {
    return ByteString.copyFromUtf8("state@" + index);
  }

  static ConfState voters(Long... ids) {
    return ConfState.newBuilder().addAllVoters(List.of(ids)).build();
  }
}
