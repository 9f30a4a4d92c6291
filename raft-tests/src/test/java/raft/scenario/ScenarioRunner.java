package raft.scenario;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import raft.core.Config;
import raft.core.Raft;
import raft.core.RaftNode;
import raft.core.StateRole;
import raft.pb.ConfState;
import raft.pb.Entry;
import raft.pb.Snapshot;
import raft.scenario.ScenarioCluster.Node;

/**
 * The interpreter of scenario scripts: golden text files under
 * {@code src/test/resources/scenario/}, in the style of etcd raft's datadriven
 * {@code testdata/*.txt}. A file is a sequence of blocks; each block is a command line, a line
 * {@code ----}, and the output the command must print, ended by a blank line. Lines starting
 * with {@code #} are comments. {@link ScenarioTest} runs every file and compares.
 *
 * <p><b>Regenerating.</b> Run the tests with {@code -Dscenario.rewrite=true} (add
 * {@code -Dscenario.only=NAME} for one file): each file is rewritten with the actual output.
 * Then read the diff ({@code git diff}) as carefully as code: a golden file is a claim that this
 * trace is correct Raft, not a recording of whatever the code did.
 *
 * <p>Commands (ids are node ids, 1..N):
 * <pre>
 * add-nodes N [election=10] [heartbeat=1] [prevote=true] [checkquorum=true]
 *             [max-inflight=256] [max-msg-size=1048576] [seed=0]
 *                              create nodes 1..N, all voters, fresh storage
 * campaign ID                  ID's election timer fires now (MsgHup)
 * tick ID [COUNT]              COUNT ticks of ID's clock (default 1)
 * tick-heartbeat ID            heartbeat-interval ticks
 * tick-election ID             a leader: election-timeout ticks (one CheckQuorum round);
 *                              anyone else: ticks until its randomized timer fires (&lt; 2T)
 * process-ready ID...          handle each node's Ready: persist, send, apply, advance
 * deliver-msgs [ID...]         step the messages waiting in the inboxes (default: all)
 * stabilize [ID...]            process-ready and deliver-msgs until nothing moves
 * propose ID DATA...           one MsgProp with one entry per DATA word
 * read-index ID CTX            a linearizable read with request id CTX
 * transfer-leader ID TO        ask ID (normally the leader) to hand leadership to TO
 * restart ID                   crash ID and start it again from its storage
 * report-unreachable ID PEER   ID's transport failed to reach PEER
 * report-snapshot ID PEER ok|fail   ID's transport finished sending a snapshot to PEER
 * partition ID,ID...           put these nodes on an island; messages across are dropped
 * isolate ID                   partition ID alone
 * heal                         remove all partitions
 * compact ID INDEX             snapshot ID's state machine at INDEX (&lt;= applied) and
 *                              discard the log up to INDEX (§7)
 * status                       one line per node: role, term, vote, lead, commit, applied, last
 * raft-log ID                  ID's log, snapshot first
 * progress ID                  the leader ID's view of each follower (nextIndex, matchIndex)
 * state-machine ID             the commands ID has applied
 * </pre>
 * Output is deterministic: nodes are visited in id order, inboxes are FIFO, and each node's
 * election jitter comes from a fixed seed.
 */
final class ScenarioRunner {
  private ScenarioCluster cluster;
  private final Function<Config, Raft> factory;

  ScenarioRunner() {
    this(Raft::new);
  }

  /** A runner whose nodes run {@code factory}'s Raft: tests pass deliberately broken ones. */
  ScenarioRunner(Function<Config, Raft> factory) {
    this.factory = factory;
  }

  /** Runs one command line and returns its output (never empty: "ok" if nothing happened). */
  String run(String line) {
    List<String> args = new ArrayList<>(Arrays.asList(line.trim().split("\\s+")));
    String cmd = args.remove(0);
    List<String> out = new ArrayList<>();
    if (!cmd.equals("add-nodes") && cluster == null) {
      throw new ScenarioException("add-nodes must come first");
    }
    try {
      dispatch(cmd, args, out);
      cluster.nodes().forEach(cluster::checkInvariants);
    } catch (IndexOutOfBoundsException | NumberFormatException e) {
      throw new ScenarioException("bad arguments in '" + line.trim() + "': " + e.getMessage());
    }
    return out.isEmpty() ? "ok" : String.join("\n", out);
  }

  private void dispatch(String cmd, List<String> args, List<String> out) {
    switch (cmd) {
      case "add-nodes" -> addNodes(args);
      case "campaign" -> onNode(args, out, 1, n -> n.raft.campaign());
      case "tick" -> tick(args, out);
      case "tick-heartbeat" -> tickHeartbeat(args, out);
      case "tick-election" -> tickElection(args, out);
      case "process-ready" -> nodes(args, 1).forEach(n -> cluster.processReady(n, out));
      case "deliver-msgs" -> nodes(args, 0).forEach(n -> cluster.deliverMsgs(n, out));
      case "stabilize" -> cluster.stabilize(nodes(args, 0), out);
      case "propose" -> propose(args, out);
      case "read-index" -> request(args, out, 2,
          n -> n.raft.readIndex(ByteString.copyFromUtf8(args.get(1))));
      case "transfer-leader" -> request(args, out, 2,
          n -> n.raft.transferLeader(id(args.get(1))));
      case "report-unreachable" -> onNode(args, out, 2,
          n -> n.raft.reportUnreachable(id(args.get(1))));
      case "report-snapshot" -> reportSnapshot(args, out);
      case "restart" -> out.add(status(cluster.restart(node(args, 0).id)));
      case "partition" -> partition(List.of(args.get(0).split(",")), out);
      case "isolate" -> partition(List.of(args.get(0)), out);
      case "heal" -> cluster.heal();
      case "compact" -> compact(args, out);
      case "status" -> cluster.nodes().forEach(n -> out.add(status(n)));
      case "raft-log" -> raftLog(node(args, 0), out);
      case "progress" -> progress(node(args, 0), out);
      case "state-machine" -> out.add(ScenarioCluster.stateMachine(node(args, 0)));
      default -> throw new ScenarioException("unknown command " + cmd);
    }
  }

  // ---- setting up ----

  private void addNodes(List<String> args) {
    if (cluster != null) {
      throw new ScenarioException("add-nodes may be used once per file");
    }
    int n = Integer.parseInt(args.get(0));
    Map<String, String> opt = new TreeMap<>();
    for (String a : args.subList(1, args.size())) {
      String[] kv = a.split("=", 2);
      if (kv.length != 2) {
        throw new ScenarioException("expected key=value, got " + a);
      }
      opt.put(kv[0], kv[1]);
    }
    ScenarioCluster.Options o = new ScenarioCluster.Options(
        Integer.parseInt(opt.getOrDefault("election", "10")),
        Integer.parseInt(opt.getOrDefault("heartbeat", "1")),
        Boolean.parseBoolean(opt.getOrDefault("prevote", "true")),
        Boolean.parseBoolean(opt.getOrDefault("checkquorum", "true")),
        Integer.parseInt(opt.getOrDefault("max-inflight", "256")),
        Long.parseLong(opt.getOrDefault("max-msg-size", "1048576")),
        Long.parseLong(opt.getOrDefault("seed", "0")));
    opt.keySet().removeAll(List.of("election", "heartbeat", "prevote", "checkquorum",
        "max-inflight", "max-msg-size", "seed"));
    if (!opt.isEmpty()) {
      throw new ScenarioException("unknown options " + opt.keySet());
    }
    cluster = new ScenarioCluster(n, o, factory);
  }

  // ---- time ----

  private void tick(List<String> args, List<String> out) {
    int count = args.size() > 1 ? Integer.parseInt(args.get(1)) : 1;
    tick(node(args, 0), count, out);
  }

  private void tickHeartbeat(List<String> args, List<String> out) {
    tick(node(args, 0), cluster.options().heartbeatTick(), out);
  }

  private void tick(Node n, int count, List<String> out) {
    for (int i = 0; i < count; i++) {
      n.raft.tick();
      cluster.observe(n, out, "");
    }
  }

  /**
   * A leader ticks one election timeout (CheckQuorum runs at its end). Anyone else ticks until
   * its randomized election timer fires, which it does within 2T ticks: we stop at the first
   * tick after which it changed role or term or has something to send.
   */
  private void tickElection(List<String> args, List<String> out) {
    Node n = node(args, 0);
    int timeout = cluster.options().electionTick();
    if (n.protocol().role() == StateRole.LEADER) {
      tick(n, timeout, out);
      return;
    }
    boolean hadReady = n.raft.hasReady();
    for (int i = 1; i <= 2 * timeout; i++) {
      StateRole role = n.protocol().role();
      long term = n.protocol().term();
      n.raft.tick();
      if (n.protocol().role() != role || n.protocol().term() != term
          || (!hadReady && n.raft.hasReady())) {
        out.add(n.id + "'s election timer fired after " + i + " ticks");
        cluster.observe(n, out, "");
        return;
      }
      cluster.observe(n, out, "");
    }
    out.add(n.id + "'s election timer did not fire in " + 2 * timeout + " ticks");
  }

  // ---- requests ----

  private interface NodeAction {
    void apply(Node n);
  }

  private interface NodeRequest {
    boolean apply(Node n);
  }

  private void onNode(List<String> args, List<String> out, int arity, NodeAction a) {
    Node n = node(args, 0);
    arity(args, arity);
    a.apply(n);
    cluster.observe(n, out, "");
  }

  /** A client request: prints "dropped" if the node refused it (no leader, or a transfer). */
  private void request(List<String> args, List<String> out, int arity, NodeRequest r) {
    Node n = node(args, 0);
    arity(args, arity);
    if (!r.apply(n)) {
      out.add("dropped");
    }
    cluster.observe(n, out, "");
  }

  private void propose(List<String> args, List<String> out) {
    if (args.size() < 2) {
      throw new ScenarioException("propose ID DATA...");
    }
    List<ByteString> cmds = new ArrayList<>();
    args.subList(1, args.size()).forEach(d -> cmds.add(ByteString.copyFromUtf8(d)));
    request(args.subList(0, 1), out, 1, n -> n.raft.proposeAll(cmds));
  }

  private void reportSnapshot(List<String> args, List<String> out) {
    arity(args, 3);
    boolean ok = switch (args.get(2)) {
      case "ok" -> true;
      case "fail" -> false;
      default -> throw new ScenarioException("report-snapshot ID PEER ok|fail");
    };
    onNode(args.subList(0, 1), out, 1, n -> n.raft.reportSnapshot(id(args.get(1)), ok));
  }

  private void partition(List<String> ids, List<String> out) {
    List<Long> l = new ArrayList<>();
    ids.forEach(s -> l.add(id(s)));
    cluster.partition(l);
    out.add(cluster.describePartition());
  }

  /** Log compaction (§7): the state machine's snapshot at INDEX replaces the log up to it. */
  private void compact(List<String> args, List<String> out) {
    arity(args, 2);
    Node n = node(args, 0);
    long index = Long.parseLong(args.get(1));
    long applied = n.protocol().log().lastApplied();
    if (index > applied) {
      throw new ScenarioException("compact " + index + ": only " + applied + " is applied");
    }
    ConfState cs = ConfState.newBuilder()
        .addAllVoters(n.protocol().tracker().voters().ids()).build();
    Snapshot s = n.storage.createSnapshot(index, cs, ScenarioCluster.snapshotData(n, index));
    n.storage.compact(index);
    out.add(n.id + " compacted its log: " + TraceFormat.snapshot(s) + " data="
        + TraceFormat.quote(s.getData()) + "; the log now starts at " + n.storage.firstIndex());
  }

  // ---- inspecting ----

  private static String status(Node n) {
    RaftNode.Status s = n.raft.status();
    String line = n.id + " " + TraceFormat.role(s.role()) + " term=" + s.term() + " vote="
        + s.votedFor() + " lead=" + s.lead() + " commit=" + s.commitIndex() + " applied="
        + s.lastApplied() + " last=" + s.lastIndex();
    long t = n.protocol().leadTransferee();
    return t == 0 ? line : line + " transferee=" + t;
  }

  private static void raftLog(Node n, List<String> out) {
    Raft r = n.protocol();
    long first = r.log().firstIndex();
    if (first > 1) {
      out.add("snapshot " + TraceFormat.snapshot(r.log().snapshot()));
    }
    List<Entry> ents = r.log().allEntries();
    if (ents.isEmpty() && first == 1) {
      out.add("log is empty");
    }
    ents.forEach(e -> out.add(TraceFormat.entry(e)));
  }

  private static void progress(Node n, List<String> out) {
    if (n.protocol().role() != StateRole.LEADER) {
      out.add(n.id + " is not the leader");
      return;
    }
    n.protocol().tracker().all().forEach((id, pr) -> out.add(id + ": " + pr));
  }

  // ---- arguments ----

  private Node node(List<String> args, int i) {
    if (args.size() <= i) {
      throw new ScenarioException("missing node id");
    }
    return cluster.node(id(args.get(i)));
  }

  /** The nodes named in args, or all of them if none is named and {@code min} is 0. */
  private Collection<Node> nodes(List<String> args, int min) {
    if (args.size() < min) {
      throw new ScenarioException("missing node id");
    }
    if (args.isEmpty()) {
      return cluster.nodes();
    }
    List<Node> l = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      l.add(node(args, i));
    }
    return l;
  }

  private static long id(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new ScenarioException("not a node id: " + s);
    }
  }

  private static void arity(List<String> args, int n) {
    if (args.size() != n) {
      throw new ScenarioException("expected " + n + " arguments, got " + args);
    }
  }
}
