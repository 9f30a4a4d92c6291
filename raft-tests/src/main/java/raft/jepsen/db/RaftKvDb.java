package raft.jepsen.db;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import raft.kv.pb.AdminGrpc;
import raft.kv.pb.NodeStatusRequest;
import raft.kv.pb.NodeStatusResponse;
import raft.kv.pb.PartitionRequest;

/**
 * Our own cluster, driven through the local-cluster contract: the launcher's verbs
 * ({@code java -jar raftkv.jar cluster VERB --data DIR --port-offset N}) for start, restart,
 * heal and stop; signals to the pids in {@code DIR/nK.pid} for kill and pause (quicker than a
 * JVM per verb, so fault windows start when the schedule says); and the loopback Admin service
 * for status and per-member cut sets (which is how a bridge is built).
 */
public final class RaftKvDb implements Db {
  private static final int[] CLIENT_PORTS = {2379, 22379, 32379, 42379, 52379};
  private static final long LAUNCHER_TIMEOUT_SECONDS = 90;

  private final Path jar;
  private final Path data;
  private final int portOffset;
  private final int nodes;
  private final Map<Integer, ManagedChannel> admin = new HashMap<>();

  public RaftKvDb(Path jar, Path data, int nodes, int portOffset) {
    this.jar = jar;
    this.data = data.toAbsolutePath().normalize();
    this.nodes = nodes;
    this.portOffset = portOffset;
  }

  /** Starts the cluster from empty data; returns once a leader is elected. */
  public RaftKvDb start() throws Exception {
    // Without --port-offset, clean takes whatever cluster DIR holds, on whatever offset.
    run(List.of("clean", "--data", data.toString()));
    launcher("start", "--nodes", Integer.toString(nodes));
    return this;
  }

  private String launcher(String verb, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(verb));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--data", data.toString(), "--port-offset", Integer.toString(portOffset)));
    return run(cmd);
  }

  private String run(List<String> verbAndArgs) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("java", "-jar", jar.toString(), "cluster"));
    cmd.addAll(verbAndArgs);
    String verb = verbAndArgs.get(0);
    Procs.Result r = Procs.run(cmd, LAUNCHER_TIMEOUT_SECONDS);
    if (r.exit() != 0) {
      throw new IOException("cluster " + verb + " failed (exit " + r.exit() + "):\n" + r.out());
    }
    return r.out();
  }

  @Override
  public List<String> endpoints() {
    List<String> eps = new ArrayList<>();
    for (int k = 1; k <= nodes; k++) {
      eps.add("127.0.0.1:" + (CLIENT_PORTS[k - 1] + portOffset));
    }
    return eps;
  }

  @Override
  public boolean controlsProcesses() {
    return true;
  }

  /**
   * Our server answers "no leader" only when Raft dropped the proposal before it entered any
   * log (NodeRuntime.propose: node.propose returned false), so it cannot commit later.
   */
  @Override
  public boolean noLeaderMeansDropped() {
    return true;
  }

  @Override
  public boolean supportsPartitions() {
    return true;
  }

  private AdminGrpc.AdminBlockingStub admin(int k) {
    ManagedChannel ch = admin.computeIfAbsent(k, n -> ManagedChannelBuilder
        .forTarget(endpoints().get(n - 1)).usePlaintext().build());
    ch.resetConnectBackoff(); // a restarted member refused us a moment ago; do not back off
    return AdminGrpc.newBlockingStub(ch).withDeadlineAfter(700, TimeUnit.MILLISECONDS);
  }

  @Override
  public int leader() {
    for (int k = 1; k <= nodes; k++) {
      if (Procs.livePid(pidFile(k)) == 0) {
        continue;
      }
      try {
        NodeStatusResponse s = admin(k).nodeStatus(NodeStatusRequest.getDefaultInstance());
        if ("leader".equals(s.getRole())) {
          return (int) s.getId();
        }
      } catch (RuntimeException downOrPaused) {
        // not this one
      }
    }
    return 0;
  }

  private Path pidFile(int k) {
    return data.resolve("n" + k + ".pid");
  }

  @Override
  public void kill(int k) throws Exception {
    long pid = Procs.livePid(pidFile(k));
    if (pid != 0) {
      Procs.killAndWait(pid);
    }
  }

  @Override
  public void restart(int k) throws Exception {
    launcher("restart", "n" + k);
  }

  @Override
  public void pause(int k) throws Exception {
    long pid = Procs.livePid(pidFile(k));
    if (pid != 0) {
      Procs.signal(pid, "STOP");
    }
  }

  @Override
  public void resume(int k) throws Exception {
    long pid = Procs.livePid(pidFile(k));
    if (pid != 0) {
      Procs.signal(pid, "CONT");
    }
  }

  @Override
  public void cut(Map<Integer, Set<Integer>> cutsPerMember) {
    // Member id k is node nK (the launcher numbers members by name order).
    cutsPerMember.forEach((k, cut) -> {
      try {
        admin(k).partition(PartitionRequest.newBuilder()
            .addAllCutPeers(cut.stream().map(Long::valueOf).toList()).build());
      } catch (RuntimeException downOrPaused) {
        // a down member restarts unpartitioned; a paused one is healed at the end
      }
    });
  }

  @Override
  public void healAll() throws Exception {
    // heal's Admin calls have a short deadline; on two busy cores a member can miss it, and
    // heal is idempotent, so try again.
    for (int attempt = 1; ; attempt++) {
      try {
        launcher("heal");
        return;
      } catch (IOException e) {
        if (attempt == 5) {
          throw e;
        }
        Thread.sleep(1000);
      }
    }
  }

  @Override
  public void close() throws Exception {
    admin.values().forEach(ManagedChannel::shutdownNow);
    launcher("stop");
  }
}
