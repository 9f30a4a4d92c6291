package raft.kv.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import raft.kv.api.etcdserverpb.AlarmMember;
import raft.kv.api.etcdserverpb.AlarmRequest;
import raft.kv.api.etcdserverpb.MaintenanceGrpc;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.pb.AdminGrpc;
import raft.kv.pb.NodeStatusRequest;
import raft.kv.pb.NodeStatusResponse;

/**
 * What the cluster view polls. Process states come from the pid files, as {@code status}
 * decides up/down/paused, so a paused member is never called; every live member is asked
 * for its NodeStatus at once, each call bounded by {@link #STATUS_DEADLINE_MILLIS}, so one slow
 * member costs the others nothing. The member list and the alarms, which need the cluster
 * (and so may wait on a leader), are refreshed every {@link #REFRESH_MILLIS} on a thread of
 * their own; a poll uses the latest.
 */
final class ViewSource implements AutoCloseable {
  static final long STATUS_DEADLINE_MILLIS = 400;
  static final long REFRESH_MILLIS = 2000;

  /** One member as one poll found it: its process state and, if it answered, its status. */
  record Sample(int k, NodeProcesses.State state, Optional<NodeStatusResponse> status,
      Optional<String> exitReason) {}

  private final ClusterLayout layout;
  private final NodeProcesses procs;
  private final AdminClients admin; // the poller's channels
  private final AdminClients refreshAdmin; // the refresher's (AdminClients is not thread-safe)
  private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(
      r -> new Thread(r, "view-refresh"));
  private volatile Optional<List<Member>> members = Optional.empty();
  private volatile List<AlarmMember> alarms = List.of();

  ViewSource(ClusterLayout layout) {
    this.layout = layout;
    this.procs = new NodeProcesses(layout);
    this.admin = new AdminClients(layout);
    this.refreshAdmin = new AdminClients(layout);
    refresher.scheduleWithFixedDelay(this::refresh, 0, REFRESH_MILLIS, TimeUnit.MILLISECONDS);
  }

  ClusterLayout layout() {
    return layout;
  }

  /** Every member shown (the launcher's, the listed, the running), in node order. */
  List<Sample> poll() throws java.io.IOException, InterruptedException {
    Optional<List<Member>> list = members;
    Map<Integer, Member> listed = list.map(ms -> byNode(ms)).orElse(Map.of());
    Set<Integer> shown = StatusVerbs.shown(layout, procs, listed);
    Map<Integer, Future<NodeStatusResponse>> calls = new LinkedHashMap<>();
    Map<Integer, NodeProcesses.State> states = new LinkedHashMap<>();
    for (int k : shown) {
      NodeProcesses.State s = procs.state(k);
      states.put(k, s);
      if (s == NodeProcesses.State.UP) {
        calls.put(k, ask(k));
      }
    }
    List<Sample> out = new ArrayList<>();
    for (Map.Entry<Integer, NodeProcesses.State> e : states.entrySet()) {
      int k = e.getKey();
      Optional<NodeStatusResponse> status = answer(calls.get(k));
      Optional<String> exit = e.getValue() == NodeProcesses.State.DOWN
          ? procs.fatalExitReason(k) : Optional.empty();
      out.add(new Sample(k, e.getValue(), status, exit));
    }
    return out;
  }

  /** Node k's status call, under way. */
  private Future<NodeStatusResponse> ask(int k) {
    return AdminGrpc.newFutureStub(admin.channel(k))
        .withDeadlineAfter(STATUS_DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
        .nodeStatus(NodeStatusRequest.getDefaultInstance());
  }

  private static Optional<NodeStatusResponse> answer(Future<NodeStatusResponse> f)
      throws InterruptedException {
    if (f == null) {
      return Optional.empty();
    }
    try {
      // The call's deadline bounds this; the extra second only guards against a lost answer.
      return Optional.ofNullable(f.get(STATUS_DEADLINE_MILLIS + 1000, TimeUnit.MILLISECONDS));
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      f.cancel(true);
      return Optional.empty();
    }
  }

  private Map<Integer, Member> byNode(List<Member> ms) {
    Map<Integer, Member> out = new LinkedHashMap<>();
    for (Member m : ms) {
      layout.nodeOf(m).ifPresent(k -> out.put(k, m));
    }
    return out;
  }

  /** Ids to names, from the latest member list (id k is nK without one). */
  Ids ids() {
    return members.map(ms -> Ids.of(layout, ms)).orElse(Ids.ofNodes());
  }

  /** Whether the member list names node k a learner (empty: unknown). */
  Optional<Boolean> learner(int k) {
    return members.flatMap(ms -> Optional.ofNullable(byNode(ms).get(k)))
        .map(Member::getIsLearner);
  }

  /** The raised alarms, as the latest refresh found them. */
  List<AlarmMember> alarms() {
    return alarms;
  }

  private void refresh() {
    try {
      MemberApi api = new MemberApi(layout, procs, refreshAdmin);
      api.list().ifPresent(ms -> members = Optional.of(ms));
      for (int k : api.targets()) {
        try {
          alarms = MaintenanceGrpc.newBlockingStub(refreshAdmin.channel(k))
              .withDeadlineAfter(1, TimeUnit.SECONDS)
              .alarm(AlarmRequest.getDefaultInstance()).getAlarmsList();
          break;
        } catch (io.grpc.StatusRuntimeException e) {
          // the next member
        }
      }
    } catch (RuntimeException e) {
      // a cluster in the middle of a change: the next refresh tries again
    }
  }

  @Override
  public void close() {
    refresher.shutdownNow();
    admin.close();
    refreshAdmin.close();
  }
}
