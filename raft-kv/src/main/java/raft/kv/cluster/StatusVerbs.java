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
import raft.kv.cli.Clients;
import raft.kv.cli.Table;
import raft.kv.pb.NodeStatusResponse;

/** status (one row per node) and partition. */
final class StatusVerbs {
  private StatusVerbs() {}

  static final List<String> HEADER = List.of("NODE", "PID", "STATE", "ROLE", "TERM", "LEADER",
      "COMMIT", "APPLIED", "CUT OFF FROM", "ENDPOINT");

  /**
   * One status row. {@code pid} is empty for a down node; {@code status} is empty when the node
   * did not answer (or was not asked: a paused node would only time out).
   */
  static List<String> row(ClusterLayout l, int k, Optional<Long> pid,
      NodeProcesses.State state, Optional<NodeStatusResponse> status) {
    List<String> r = new ArrayList<>(List.of(ClusterLayout.name(k),
        pid.map(String::valueOf).orElse("-"), state.name().toLowerCase()));
    if (status.isPresent()) {
      NodeStatusResponse s = status.get();
      r.addAll(List.of(s.getRole(), Long.toUnsignedString(s.getTerm()), memberName(l,
          s.getLeader()), Long.toUnsignedString(s.getCommit()),
          Long.toUnsignedString(s.getApplied()), s.getCutPeersList().isEmpty() ? "-"
          : s.getCutPeersList().stream().map(id -> memberName(l, id))
              .collect(Collectors.joining(","))));
    } else {
      r.addAll(List.of("-", "-", "-", "-", "-", "-"));
    }
    r.add(l.clientEndpoint(k));
    return r;
  }

  /** Member id k is node nK (ServerConfig numbers members by name order); 0 means none. */
  static String memberName(ClusterLayout l, long id) {
    if (id == 0) {
      return "-";
    }
    return id >= 1 && id <= l.nodes() ? ClusterLayout.name((int) id) : Long.toHexString(id);
  }

  static String table(ClusterLayout l, NodeProcesses procs, AdminClients admin) {
    List<List<String>> rows = new ArrayList<>();
    for (int k = 1; k <= l.nodes(); k++) {
      NodeProcesses.State state = procs.state(k);
      Optional<Long> pid = procs.running(k).map(ProcessHandle::pid);
      rows.add(row(l, k, pid, state,
          state == NodeProcesses.State.UP ? admin.status(k) : Optional.empty()));
    }
    return Table.render(HEADER, rows);
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
      Set<Integer> side = parseSide(l, nodes);
      NodeProcesses procs = new NodeProcesses(l);
      try (AdminClients admin = new AdminClients(l)) {
        for (int k = 1; k <= l.nodes(); k++) {
          List<Long> cut = cutFor(l, side, k);
          if (procs.state(k) != NodeProcesses.State.UP) {
            out().println("note: " + ClusterLayout.name(k) + " is " + procs.state(k).name()
                .toLowerCase() + "; it is not told (a restarted node starts unpartitioned)");
            continue;
          }
          admin.partition(k, cut);
        }
      }
      out().println("partitioned: " + names(side) + " | " + names(others(l, side)));
      return 0;
    }
  }

  static Set<Integer> parseSide(ClusterLayout l, String spec) {
    Set<Integer> side = new LinkedHashSet<>();
    for (String n : spec.split(",")) {
      if (!n.isBlank()) {
        side.add(l.index(n.trim()));
      }
    }
    if (side.isEmpty() || side.size() == l.nodes()) {
      throw new Clients.Failure("partition needs at least one node on each side, not '"
          + spec + "' of n1.." + ClusterLayout.name(l.nodes()));
    }
    return side;
  }

  /** The named side cuts everyone else; everyone else cuts the named side. */
  static List<Long> cutFor(ClusterLayout l, Set<Integer> side, int k) {
    return (side.contains(k) ? others(l, side) : side).stream().map(Long::valueOf).toList();
  }

  static Set<Integer> others(ClusterLayout l, Set<Integer> side) {
    Set<Integer> rest = new LinkedHashSet<>();
    for (int k = 1; k <= l.nodes(); k++) {
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
