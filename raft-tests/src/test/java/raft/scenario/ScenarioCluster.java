package raft.scenario;

import com.google.protobuf.ByteString;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import raft.core.Config;
import raft.core.Invariants;
import raft.core.Raft;
import raft.core.RaftNode;
import raft.core.ReadState;
import raft.core.Ready;
import raft.core.ReadyPipeline;
import raft.core.StateRole;
import raft.pb.Entry;
import raft.pb.EntryType;
import raft.pb.Message;
import raft.pb.Snapshot;
import raft.log.MemoryStorage;

/**
 * The world a scenario runs in: N nodes, each a {@link RaftNode} over its own
 * {@link MemoryStorage} (its "disk"), a list of applied commands (its state machine) and an
 * inbox (the network). Nothing happens by itself: messages move only when a command delivers
 * them, time passes only when a command ticks. That is what makes every trace reproducible.
 *
 * <p>Every action appends what it did to a trace, in the order it happened, so that the golden
 * file is a readable story: who changed role, what each Ready asked to persist, send and apply,
 * and which messages each node received.
 */
final class ScenarioCluster {

  /** A committed command as the state machine recorded it: its log index and its data. */
  record Applied(long index, String data) {}

  /** A message in flight; {@code sender} is who sent it (a forwarded request keeps its from). */
  record InFlight(long sender, Message msg) {}

  /** One member: protocol, disk, state machine, inbox, and the role we last reported. */
  /** Entries handed to the state machine together. */
  record Committed(List<Entry> entries) {}

  static final class Node {
    final long id;
    final RaftNode raft;
    final MemoryStorage storage;
    final List<Applied> applied = new ArrayList<>();
    final ArrayDeque<InFlight> inbox = new ArrayDeque<>();
    StateRole seenRole;
    long seenTerm;
    long seenTransferee;
    // What carrying out one Ready sent and applied, printed in the trace's order afterwards.
    final List<Message> sent = new ArrayList<>();
    final List<Object> toApply = new ArrayList<>(); // Snapshots, Committed and ReadStates
    final ReadyPipeline pipeline;
    // One checker per incarnation: a crash may lose an unpersisted term or commit, safely.
    final Invariants invariants = new Invariants();

    Node(long id, RaftNode raft, MemoryStorage storage) {
      this.id = id;
      this.raft = raft;
      this.storage = storage;
      this.seenRole = raft.raft().role();
      this.seenTerm = raft.raft().term();
      this.pipeline = ReadyPipeline.synchronous(raft, storage, sent::add,
          new ReadyPipeline.StateMachineQueue() {
            @Override
            public void apply(Snapshot snapshot, List<Entry> committed) {
              if (snapshot != null) {
                toApply.add(snapshot);
              }
              toApply.add(new Committed(committed));
            }

            @Override
            public void read(ReadState rs) {
              toApply.add(rs);
            }
          });
    }

    Raft protocol() {
      return raft.raft();
    }
  }

  /** The knobs of add-nodes; the defaults are Config's (PreVote and CheckQuorum on). */
  record Options(int electionTick, int heartbeatTick, boolean preVote, boolean checkQuorum,
      int maxInflight, long maxSizePerMsg, long seed) {}

  private final TreeMap<Long, Node> nodes = new TreeMap<>(); // sorted: deterministic order
  // Network partitions: nodes in different groups cannot talk. Group 0 is everyone by default.
  private final Map<Long, Integer> group = new HashMap<>();
  private int nextGroup = 1;
  private final Options options;
  private final List<Long> ids = new ArrayList<>();
  private final Map<Long, Integer> restarts = new HashMap<>();
  private final Function<Config, Raft> factory;

  ScenarioCluster(int n, Options o) {
    this(n, o, Raft::new);
  }

  /** A cluster whose nodes run {@code factory}'s Raft: tests pass deliberately broken ones. */
  ScenarioCluster(int n, Options o, Function<Config, Raft> factory) {
    this.options = o;
    this.factory = factory;
    for (long id = 1; id <= n; id++) {
      ids.add(id);
    }
    for (long id : ids) {
      MemoryStorage storage = MemoryStorage.bootstrap(ids);
      nodes.put(id, new Node(id, newRaftNode(config(id, storage, 0)), storage));
    }
  }

  private Config config(long id, MemoryStorage storage, int incarnation) {
    Config c = new Config();
    c.id = id;
    c.peers = ids;
    c.storage = storage;
    c.electionTick = options.electionTick();
    c.heartbeatTick = options.heartbeatTick();
    c.preVote = options.preVote();
    c.checkQuorum = options.checkQuorum();
    c.maxInflightMsgs = options.maxInflight();
    c.maxSizePerMsg = options.maxSizePerMsg();
    // A fixed seed per node (and per restart): the randomized election timeouts are the same
    // on every run.
    c.random = new SplittableRandom(options.seed() * 1000 + 100L * incarnation + id);
    return c;
  }

  /**
   * A crash and restart: everything not in the node's storage is lost (role, leader, progress,
   * unpersisted entries, its inbox, its in-memory state machine). It comes back as a follower
   * with its persisted term, vote and log; the state machine is rebuilt from the storage's
   * snapshot, and the committed entries after it are applied again through Ready.
   */
  Node restart(long id) {
    Node old = node(id);
    int incarnation = restarts.merge(id, 1, Integer::sum);
    Node n = new Node(id, newRaftNode(config(id, old.storage, incarnation)), old.storage);
    restoreStateMachine(n, old.storage.snapshot());
    nodes.put(id, n);
    return n;
  }

  private RaftNode newRaftNode(Config c) {
    return new RaftNode(factory.apply(c));
  }

  Options options() {
    return options;
  }

  Node node(long id) {
    Node n = nodes.get(id);
    if (n == null) {
      throw new ScenarioException("no node " + id);
    }
    return n;
  }

  Collection<Node> nodes() {
    return nodes.values();
  }

  // ---- the network ----

  /** Puts {@code ids} on an island of their own: messages to and from the rest are dropped. */
  void partition(Collection<Long> ids) {
    int g = nextGroup++;
    for (long id : ids) {
      node(id);
      group.put(id, g);
    }
  }

  void heal() {
    group.clear();
  }

  boolean cut(long a, long b) {
    return !group.getOrDefault(a, 0).equals(group.getOrDefault(b, 0));
  }

  /** One line describing the islands, e.g. "1 | 2 3". */
  String describePartition() {
    TreeMap<Integer, List<String>> islands = new TreeMap<>();
    for (long id : nodes.keySet()) {
      islands.computeIfAbsent(group.getOrDefault(id, 0), g -> new ArrayList<>())
          .add(String.valueOf(id));
    }
    List<String> parts = new ArrayList<>();
    islands.values().forEach(l -> parts.add(String.join(" ", l)));
    return String.join(" | ", parts);
  }

  // ---- observing roles ----

  /**
   * Reports a change of role or term (and the start or abort of a leadership transfer) since the
   * last look. Called after every input to a node, so the change appears under its cause.
   */
  void observe(Node n, List<String> out, String indent) {
    Raft r = n.protocol();
    if (r.role() != n.seenRole || r.term() != n.seenTerm) {
      out.add(indent + n.id + " became " + TraceFormat.role(r.role()) + " at term " + r.term());
    }
    long transferee = r.leadTransferee();
    if (transferee != n.seenTransferee) {
      if (transferee != 0) {
        out.add(indent + n.id + " is transferring leadership to " + transferee);
      } else if (r.role() == StateRole.LEADER && r.term() == n.seenTerm) {
        out.add(indent + n.id + " aborted leadership transfer to " + n.seenTransferee);
      }
    }
    n.seenRole = r.role();
    n.seenTerm = r.term();
    n.seenTransferee = transferee;
    checkInvariants(n);
  }

  /**
   * Runs the protocol's invariant check on {@code n}; called after every input and every Ready
   * (from {@link #observe}) and after every command. The first broken invariant stops the
   * scenario, by name.
   */
  void checkInvariants(Node n) {
    List<Invariants.Violation> broken = n.invariants.check(n.protocol());
    if (!broken.isEmpty()) {
      throw new IllegalStateException("node " + n.id + " broke invariant " + broken.get(0));
    }
  }

  // ---- Ready handling: ReadyPipeline.synchronous, traced as persist, send, apply ----

  /** Handles one Ready of {@code n} if it has one; returns whether it had. */
  boolean processReady(Node n, List<String> out) {
    if (!n.raft.hasReady()) {
      return false;
    }
    Ready rd = n.raft.ready();
    out.add("> " + n.id + " handling Ready");
    if (rd.softState() != null) {
      out.add("  SoftState lead=" + rd.softState().lead() + " role="
          + TraceFormat.role(rd.softState().role()));
    }
    n.pipeline.carryOut(rd);
    traceWrites(rd, out);
    send(n, List.copyOf(n.sent), out);
    n.sent.clear();
    apply(n, out);
    observe(n, out, "  ");
    return true;
  }

  private static void traceWrites(Ready rd, List<String> out) {
    if (rd.snapshot() != null) {
      out.add("  Snapshot " + TraceFormat.snapshot(rd.snapshot()));
    }
    if (!rd.entries().isEmpty()) {
      out.add("  Entries:");
      rd.entries().forEach(e -> out.add("    " + TraceFormat.entry(e)));
    }
    if (rd.hardState() != null) {
      out.add("  " + TraceFormat.hardState(rd.hardState()));
    }
  }

  private void send(Node n, List<Message> msgs, List<String> out) {
    if (msgs.isEmpty()) {
      return;
    }
    out.add("  Messages:");
    for (Message m : msgs) {
      String line = "    " + TraceFormat.message(m);
      Node to = nodes.get(m.getTo());
      if (to == null) {
        out.add(line + " [dropped: no such node]");
      } else if (cut(n.id, m.getTo())) {
        out.add(line + " [dropped: partition]");
      } else {
        out.add(line);
        to.inbox.add(new InFlight(n.id, m));
      }
    }
  }

  private void apply(Node n, List<String> out) {
    List<String> committed = new ArrayList<>();
    List<String> reads = new ArrayList<>();
    for (Object o : n.toApply) {
      if (o instanceof Snapshot snap) {
        restoreStateMachine(n, snap);
        out.add("  Restored state machine from snapshot: " + stateMachine(n));
      } else if (o instanceof ReadState rs) {
        reads.add("    " + TraceFormat.readState(rs));
      } else if (o instanceof Committed c) {
        for (Entry e : c.entries()) {
          committed.add("    " + TraceFormat.entry(e));
          if (e.getType() == EntryType.ENTRY_NORMAL && !e.getData().isEmpty()) {
            n.applied.add(new Applied(e.getIndex(), e.getData().toStringUtf8()));
          }
        }
      }
    }
    n.toApply.clear();
    section("  CommittedEntries:", committed, out);
    section("  ReadStates:", reads, out);
  }

  private static void section(String title, List<String> lines, List<String> out) {
    if (!lines.isEmpty()) {
      out.add(title);
      out.addAll(lines);
    }
  }

  private static void restoreStateMachine(Node n, Snapshot s) {
    n.applied.clear();
    String data = s.getData().toStringUtf8();
    if (!data.isEmpty()) {
      for (String cmd : data.split(",")) {
        n.applied.add(new Applied(s.getMetadata().getIndex(), cmd));
      }
    }
  }

  /** The state machine's content: the applied commands, in order. */
  static String stateMachine(Node n) {
    List<String> cmds = new ArrayList<>();
    n.applied.forEach(a -> cmds.add(a.data()));
    return "[" + String.join(" ", cmds) + "]";
  }

  /** The state machine as of {@code index}, as snapshot data: the commands joined by commas. */
  static ByteString snapshotData(Node n, long index) {
    List<String> cmds = new ArrayList<>();
    n.applied.stream().filter(a -> a.index() <= index).forEach(a -> cmds.add(a.data()));
    return ByteString.copyFromUtf8(String.join(",", cmds));
  }

  // ---- the network moves ----

  /** Steps every message waiting in {@code n}'s inbox; returns whether there was any. */
  boolean deliverMsgs(Node n, List<String> out) {
    if (n.inbox.isEmpty()) {
      return false;
    }
    out.add("> " + n.id + " receiving messages");
    while (!n.inbox.isEmpty()) {
      InFlight f = n.inbox.poll();
      String line = "  " + TraceFormat.message(f.msg());
      if (cut(f.sender(), n.id)) {
        out.add(line + " [dropped: partition]"); // the partition began while it was in flight
        continue;
      }
      out.add(line);
      if (!n.raft.step(f.msg())) {
        out.add("    " + n.id + " dropped " + TraceFormat.typeName(f.msg().getType()));
      }
      observe(n, out, "    ");
    }
    return true;
  }

  /**
   * Runs the cluster until it is quiet: every node handles its Ready, then every inbox is
   * delivered, over and over, until a round moves nothing (etcd's interaction "stabilize").
   */
  void stabilize(Collection<Node> which, List<String> out) {
    for (int round = 0; round < 10_000; round++) {
      boolean moved = false;
      for (Node n : which) {
        moved |= processReady(n, out);
      }
      for (Node n : which) {
        moved |= deliverMsgs(n, out);
      }
      if (!moved) {
        return;
      }
    }
    throw new IllegalStateException("stabilize: the cluster did not settle in 10000 rounds");
  }
}
