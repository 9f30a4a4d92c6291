package raft.kv.cluster;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import java.util.Map;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.client.Clients;
import raft.kv.client.Table;
import raft.kv.pb.NodeStatusResponse;

/** status (one row per node) and partition. */
final class StatusVerbs {
  private StatusVerbs() {}

  static final List<String> HEADER = List.of("NODE", "PID", "STATE", "MEMBER", "ROLE", "TERM",
      "LEADER", "COMMIT", "APPLIED", "CUT OFF FROM", "ENDPOINT", "METRICS");

  /**
   * One status row. {@code pid} is empty for a down node; {@code status} is empty when the node
   * did not answer (or was not asked: a paused node would only time out).
   */
  static List<String> row(ClusterLayout l, int k, Optional<Long> pid,
      NodeProcesses.State state, Optional<NodeStatusResponse> status) {
    return row(l, Ids.ofNodes(), k, pid, state, status, Optional.empty(), "?");
  }

  /**
   * As above; {@code exitReason} is why a down node's process ended, if a fatal error ended it.
   * A member that stopped for good shows "stopped: " and its cause, never a Raft role: the
   * role it last had means nothing any more. {@code member} is what the cluster's member list
   * says the node is: voter, learner, or "-" when it does not list it.
   */
  static List<String> row(ClusterLayout l, Ids ids, int k, Optional<Long> pid,
      NodeProcesses.State state, Optional<NodeStatusResponse> status,
      Optional<String> exitReason, String member) {
    Optional<String> stopped = stoppedReason(status, exitReason);
    List<String> r = new ArrayList<>(List.of(ClusterLayout.name(k),
        pid.map(String::valueOf).orElse("-"),
        stopped.map(why -> "stopped: " + cause(why)).orElse(state.name().toLowerCase()),
        member));
    if (status.isPresent() && stopped.isEmpty()) {
      NodeStatusResponse s = status.get();
      r.addAll(List.of(s.getRole(), Long.toUnsignedString(s.getTerm()), ids.name(
          s.getLeader()), Long.toUnsignedString(s.getCommit()),
          Long.toUnsignedString(s.getApplied()), s.getCutPeersList().isEmpty() ? "-"
          : s.getCutPeersList().stream().map(ids::name)
              .collect(Collectors.joining(","))));
    } else {
      r.addAll(List.of("-", "-", "-", "-", "-", "-"));
    }
    r.add(l.clientEndpoint(k));
    r.add(l.metricsEndpoint(k)); // HTTP: /metrics, /health, /version
    return r;
  }

  /** A live member's own failure report, else how its process ended. */
  static Optional<String> stoppedReason(Optional<NodeStatusResponse> status,
      Optional<String> exitReason) {
    return status.map(NodeStatusResponse::getFailure).filter(f -> !f.isEmpty())
        .or(() -> exitReason);
  }

  /** The cause a failure line starts with ("disk full: no space ..." gives "disk full"). */
  static String cause(String reason) {
    int colon = reason.indexOf(':');
    return colon < 0 ? reason : reason.substring(0, colon);
  }

  static String table(ClusterLayout l, NodeProcesses procs, AdminClients admin)
      throws java.io.IOException {
    MemberApi api = new MemberApi(l, procs, admin);
    Optional<List<Member>> list = api.list();
    Map<Integer, Member> listed = list.map(api::byNode).orElse(Map.of());
    Ids ids = list.map(ms -> Ids.of(l, ms)).orElse(Ids.ofNodes());
    List<List<String>> rows = new ArrayList<>();
    StringBuilder why = new StringBuilder();
    for (int k : shown(l, procs, listed)) {
      NodeProcesses.State state = procs.state(k);
      Optional<Long> pid = procs.running(k).map(ProcessHandle::pid);
      Optional<NodeStatusResponse> status =
          state == NodeProcesses.State.UP ? admin.status(k) : Optional.empty();
      Optional<String> exit = state == NodeProcesses.State.DOWN ? procs.fatalExitReason(k)
          : Optional.empty();
      String member = list.isEmpty() ? "?" : Optional.ofNullable(listed.get(k))
          .map(m -> m.getIsLearner() ? "learner" : "voter").orElse("-");
      rows.add(row(l, ids, k, pid, state, status, exit, member));
      String name = ClusterLayout.name(k);
      stoppedReason(status, exit).ifPresent(r -> why.append(name).append(" stopped: ")
          .append(r).append('\n'));
    }
    return Table.render(HEADER, rows) + why + summary(l, procs, list, listed);
  }

  /** The launcher's members, any node the cluster lists, and any node still running. */
  static Set<Integer> shown(ClusterLayout l, NodeProcesses procs, Map<Integer, Member> listed)
      throws java.io.IOException {
    Set<Integer> ks = new java.util.TreeSet<>(Members.load(l).ks());
    ks.addAll(listed.keySet());
    for (int k = 1; k <= ClusterLayout.MAX_NODES; k++) {
      if (procs.running(k).isPresent()) {
        ks.add(k);
      }
    }
    return ks;
  }

  /** One line: voters, learners, and which of them are down (the configuration's view). */
  static String summary(ClusterLayout l, NodeProcesses procs, Optional<List<Member>> list,
      Map<Integer, Member> listed) {
    if (list.isEmpty()) {
      return "membership: unknown (no member answered MemberList)\n";
    }
    List<String> voters = new ArrayList<>();
    List<String> learners = new ArrayList<>();
    List<String> down = new ArrayList<>();
    List<Member> byNode = new ArrayList<>(list.get());
    byNode.sort(java.util.Comparator.comparingInt((Member m) -> l.nodeOf(m).orElse(99))
        .thenComparing(Member::getName));
    for (Member m : byNode) {
      var k = l.nodeOf(m);
      String name = k.isPresent() ? ClusterLayout.name(k.getAsInt())
          : m.getName().isEmpty() ? Long.toHexString(m.getID()) : m.getName();
      (m.getIsLearner() ? learners : voters).add(name);
      if (k.isEmpty() || procs.state(k.getAsInt()) != NodeProcesses.State.UP) {
        down.add(name);
      }
    }
    return "voters: " + String.join(",", voters) + "  learners: "
        + (learners.isEmpty() ? "-" : String.join(",", learners)) + "  in the configuration"
        + " but not up: " + (down.isEmpty() ? "-" : String.join(",", down)) + "\n";
  }

  @Command(name = "status", description = "One row per node: pid, up/down/paused, Raft state.")
  static final class Status extends ClusterCommand.Verb {
    @Option(names = "--watch", description = "Refresh every second until Ctrl-C.")
    boolean watch;

    @Option(names = "--count", description = "With --watch: stop after N refreshes.")
    Integer count;

    @Override
    int run() throws Exception {
      ClusterLayout l = layout();
      NodeProcesses procs = new NodeProcesses(l);
      try (AdminClients admin = new AdminClients(l)) {
        for (int i = 0; count == null || i < count; i++) {
          if (watch) {
            out().print("\033[H\033[2J"); // ANSI: cursor home, clear screen
          }
          out().print(table(l, procs, admin));
          if (!watch) {
            break;
          }
          out().println("(every 1 s; Ctrl-C to stop)");
          out().flush();
          Thread.sleep(1000);
        }
      }
      return 0;
    }
  }

  @Command(name = "partition", description = "Cuts the named nodes off from the rest, both"
      + " ways, inside the peer transport (heal undoes it).")
  static final class Partition extends ClusterCommand.Verb {
    @Parameters(index = "0", paramLabel = "nA,nB", description = "The nodes on one side.")
    String nodes;

    @Override
    int run() throws Exception {
      ClusterLayout l = layout();
      List<Integer> members = Members.load(l).ks();
      Set<Integer> side = parseSide(l, members, nodes);
      NodeProcesses procs = new NodeProcesses(l);
      try (AdminClients admin = new AdminClients(l)) {
        Ids ids = new MemberApi(l, procs, admin).list().map(ms -> Ids.of(l, ms))
            .orElse(Ids.ofNodes());
        for (int k : members) {
          List<Long> cut = cutFor(members, side, k).stream().map(ids::id).toList();
          if (procs.state(k) != NodeProcesses.State.UP) {
            out().println("note: " + ClusterLayout.name(k) + " is " + procs.state(k).name()
                .toLowerCase() + "; it is not told (a restarted node starts unpartitioned)");
            continue;
          }
          admin.partition(k, cut);
        }
      }
      out().println("partitioned: " + names(side) + " | " + names(others(members, side)));
      return 0;
    }
  }

  static Set<Integer> parseSide(ClusterLayout l, List<Integer> members, String spec) {
    Set<Integer> side = new LinkedHashSet<>();
    for (String n : spec.split(",")) {
      if (!n.isBlank()) {
        int k = l.index(n.trim());
        if (!members.contains(k)) {
          throw new Clients.Failure(n.trim() + " is not a member of this cluster (members: "
              + names(new LinkedHashSet<>(members)) + ")");
        }
        side.add(k);
      }
    }
    if (side.isEmpty() || side.size() == members.size()) {
      throw new Clients.Failure("partition needs at least one node on each side, not '"
          + spec + "' of " + names(new LinkedHashSet<>(members)));
    }
    return side;
  }

  /** The named side cuts everyone else; everyone else cuts the named side (as nodes). */
  static List<Integer> cutFor(List<Integer> members, Set<Integer> side, int k) {
    return List.copyOf(side.contains(k) ? others(members, side) : side);
  }

  static Set<Integer> others(List<Integer> members, Set<Integer> side) {
    Set<Integer> rest = new LinkedHashSet<>();
    for (int k : members) {
      if (!side.contains(k)) {
        rest.add(k);
      }
    }
    return rest;
  }

  private static String names(Set<Integer> ks) {
    return ks.stream().map(ClusterLayout::name).collect(Collectors.joining(","));
  }
}
