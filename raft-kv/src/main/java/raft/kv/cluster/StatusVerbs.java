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
import raft.kv.client.Clients;
import raft.kv.client.Table;
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
    return row(l, k, pid, state, status, Optional.empty());
  }

  /**
   * As above; {@code exitReason} is why a down node's process ended, if a fatal error ended it.
   * A member that stopped for good shows "stopped: " and its cause, never a Raft role: the
   * role it last had means nothing any more.
   */
  static List<String> row(ClusterLayout l, int k, Optional<Long> pid,
      NodeProcesses.State state, Optional<NodeStatusResponse> status,
      Optional<String> exitReason) {
    Optional<String> stopped = stoppedReason(status, exitReason);
    List<String> r = new ArrayList<>(List.of(ClusterLayout.name(k),
        pid.map(String::valueOf).orElse("-"),
        stopped.map(why -> "stopped: " + cause(why)).orElse(state.name().toLowerCase())));
    if (status.isPresent() && stopped.isEmpty()) {
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

  /** Member id k is node nK (ServerConfig numbers members by name order); 0 means none. */
  static String memberName(ClusterLayout l, long id) {
    if (id == 0) {
      return "-";
    }
    return id >= 1 && id <= l.nodes() ? ClusterLayout.name((int) id) : Long.toHexString(id);
  }

  static String table(ClusterLayout l, NodeProcesses procs, AdminClients admin) {
    List<List<String>> rows = new ArrayList<>();
    StringBuilder why = new StringBuilder();
    for (int k = 1; k <= l.nodes(); k++) {
      NodeProcesses.State state = procs.state(k);
      Optional<Long> pid = procs.running(k).map(ProcessHandle::pid);
      Optional<NodeStatusResponse> status =
          state == NodeProcesses.State.UP ? admin.status(k) : Optional.empty();
      Optional<String> exit = state == NodeProcesses.State.DOWN ? procs.fatalExitReason(k)
          : Optional.empty();
      rows.add(row(l, k, pid, state, status, exit));
      String name = ClusterLayout.name(k);
      stoppedReason(status, exit).ifPresent(r -> why.append(name).append(" stopped: ")
          .append(r).append('\n'));
    }
    return Table.render(HEADER, rows) + why;
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
