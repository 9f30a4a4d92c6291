package raft.kv.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.client.Clients;
import raft.kv.main.CliRun;
import raft.kv.pb.NodeStatusResponse;

/**
 * The launcher without a server: the port contract, argument errors and refusals. Ports come
 * from high offsets (13000 and up) so a user's cluster on the default ports is never touched.
 */
class ClusterCommandTest {
  @TempDir Path dir;

  private CliRun cluster(String... args) {
    List<String> all = new ArrayList<>(List.of("cluster"));
    all.addAll(List.of(args));
    all.addAll(List.of("--data", dir.toString()));
    return CliRun.run(all.toArray(String[]::new));
  }

  @Test
  void portsFollowTheContract() {
    ClusterLayout l = new ClusterLayout(5, 0, dir);
    int[] client = {2379, 22379, 32379, 42379, 52379};
    int[] peer = {12380, 22380, 32380, 42380, 52380};
    int[] metrics = {2381, 22381, 32381, 42381, 52381};
    for (int k = 1; k <= 5; k++) {
      assertEquals(client[k - 1], l.clientPort(k));
      assertEquals(peer[k - 1], l.peerPort(k));
      assertEquals(metrics[k - 1], l.metricsPort(k));
    }
    ClusterLayout shifted = new ClusterLayout(3, 1000, dir);
    assertEquals(3379, shifted.clientPort(1));
    assertEquals(33380, shifted.peerPort(3));
    assertEquals("127.0.0.1:3379,127.0.0.1:23379,127.0.0.1:33379", shifted.endpoints());
    assertEquals("n1=http://127.0.0.1:13380,n2=http://127.0.0.1:23380,"
        + "n3=http://127.0.0.1:33380", shifted.initialCluster());
    assertEquals(dir.resolve("n2"), shifted.nodeDir(2));
    assertEquals(dir.resolve("n2.pid"), shifted.pidFile(2));
  }

  @Test
  void nodeCommandLineNamesEverythingTheServerNeeds() throws IOException {
    ClusterLayout l = new ClusterLayout(3, 0, dir);
    String cmd = String.join(" ", new NodeProcesses(l).command(2, Path.of("/x/raftkv.jar")));
    assertTrue(cmd.contains("-jar /x/raftkv.jar server --name n2 --initial-cluster "
        + l.initialCluster() + " --listen-client-urls http://127.0.0.1:22379"
        + " --listen-peer-urls http://127.0.0.1:22380"
        + " --listen-metrics-urls http://127.0.0.1:22381"
        + " --member-client-urls " + l.memberClientUrls()
        + " --data-dir " + dir.resolve("n2")), cmd);
    assertTrue(cmd.contains("-Xmx256m"), cmd);
  }

  @Test
  void badNodeCountsAndOffsetsAreUsageErrors() {
    CliRun seven = cluster("start", "--nodes", "7");
    assertEquals(2, seven.exit());
    assertTrue(seven.errLine().startsWith("Error: --nodes must be from 1 to 5, not 7"));
    CliRun far = cluster("start", "--nodes", "3", "--port-offset", "40000");
    assertEquals(2, far.exit());
    assertTrue(far.errLine().contains("puts n3's metrics port at 72381; use 0..33154"),
        far.err());
    assertFalse(Files.exists(dir.resolve(ClusterLayout.MARKER)));
  }

  @Test
  void verbsNeedAStartedCluster() {
    for (String verb : List.of("status", "stop", "heal", "kill n1", "logs n1")) {
      CliRun r = cluster(verb.split(" "));
      assertEquals(1, r.exit(), verb);
      assertEquals("Error: no cluster in " + dir + " (run scripts/cluster start first)",
          r.errLine());
    }
  }

  @Test
  void unknownAndStoppedNodes() throws IOException {
    new ClusterLayout(3, 13000, dir).save();
    assertEquals("Error: unknown node n9 (nodes are n1..n5)",
        cluster("kill", "n9").errLine());
    assertEquals("Error: n4 is not running", cluster("pause", "n4").errLine());
    assertEquals("Error: n4 is not a member of this cluster (members: n1,n2,n3;"
        + " scripts/cluster add n4 adds it)", cluster("restart", "n4").errLine());
    CliRun r = cluster("kill", "n2");
    assertEquals(1, r.exit());
    assertEquals("Error: n2 is not running", r.errLine());
    assertEquals("Error: the cluster in " + dir + " was started with --port-offset 13000,"
        + " not 5", cluster("status", "--port-offset", "5").errLine());
  }

  @Test
  void aRecycledPidIsNeverSignalled() throws IOException {
    ClusterLayout l = new ClusterLayout(1, 13000, dir);
    l.save();
    Files.writeString(l.pidFile(1), ProcessHandle.current().pid() + "\n"); // not a node
    assertEquals(NodeProcesses.State.DOWN, new NodeProcesses(l).state(1));
    assertEquals("Error: n1 is not running", cluster("kill", "n1").errLine());
  }

  @Test
  void theViewIsKnownByItsCommandLineWhereverTheOptionsStand() {
    String jar = "raftkv.jar";
    assertTrue(ViewVerb.isViewCommand(List.of("java", "-jar", jar, "cluster", "view",
        "--data", "d")));
    assertTrue(ViewVerb.isViewCommand(List.of("java", "-jar", jar, "cluster", "--data", "d",
        "--port-offset", "5", "view")));
    assertFalse(ViewVerb.isViewCommand(List.of("java", "-jar", jar, "cluster", "status")));
    assertFalse(ViewVerb.isViewCommand(List.of("sleep", "view")));
  }

  @Test
  void aBackgroundViewRefusesATakenPort() throws IOException {
    new ClusterLayout(1, 13000, dir).save();
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CliRun r = cluster("view", "--background", "--view-port",
          Integer.toString(taken.getLocalPort()));
      assertEquals(1, r.exit(), r.out());
      assertEquals("Error: cannot listen on 127.0.0.1:" + taken.getLocalPort()
          + " (in use); --view-port N chooses another", r.errLine());
      assertFalse(Files.exists(dir.resolve(ViewVerb.PID_FILE)));
    }
  }

  @Test
  void statusShowsDownNodes() throws IOException {
    new ClusterLayout(2, 13000, dir).save();
    CliRun r = cluster("status");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("| n1   | -   | down  | ?      | -    |"), r.out());
    assertTrue(r.out().contains("membership: unknown (no member answered MemberList)"),
        r.out());
    assertTrue(r.out().contains("127.0.0.1:35379"), r.out());
  }

  @Test
  void sharedOptionsMayComeBeforeTheVerb() throws IOException {
    new ClusterLayout(1, 13000, dir).save();
    CliRun r = CliRun.run("cluster", "--data", dir.toString(), "--port-offset", "13000",
        "status");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("127.0.0.1:15379"), r.out());
  }

  @Test
  void statusRowNamesLeaderAndCutPeersByNode() {
    ClusterLayout l = new ClusterLayout(3, 0, dir);
    NodeStatusResponse s = NodeStatusResponse.newBuilder().setId(2).setRole("follower")
        .setTerm(4).setLeader(1).setCommit(9).setApplied(8).addCutPeers(1).addCutPeers(3)
        .build();
    assertEquals(List.of("n2", "4242", "up", "?", "follower", "4", "n1", "9", "8", "n1,n3",
        "127.0.0.1:22379", "127.0.0.1:22381"),
        StatusVerbs.row(l, 2, Optional.of(4242L), NodeProcesses.State.UP, Optional.of(s)));
  }

  @Test
  void statusNamesMembersByPeerUrlNotByPosition() {
    ClusterLayout l = new ClusterLayout(3, 0, dir);
    Ids ids = Ids.of(l, List.of(member(0x8e9eL, "n1", l.peerUrl(1), false),
        member(0x91bcL, "", l.peerUrl(4), true)));
    NodeStatusResponse s = NodeStatusResponse.newBuilder().setId(0x91bcL).setRole("follower")
        .setTerm(7).setLeader(0x8e9eL).setCommit(9).setApplied(9).addCutPeers(0x77L).build();
    assertEquals(List.of("n4", "4243", "up", "learner", "follower", "7", "n1", "9", "9", "77",
        "127.0.0.1:42379", "127.0.0.1:42381"), StatusVerbs.row(l, ids, 4, Optional.of(4243L),
        NodeProcesses.State.UP, Optional.of(s), Optional.empty(), "learner"));
    assertEquals(0x91bcL, ids.id(4));
    assertEquals("-", ids.name(0));
  }

  private static raft.kv.api.etcdserverpb.Member member(long id, String name, String peer,
      boolean learner) {
    return raft.kv.api.etcdserverpb.Member.newBuilder().setID(id).setName(name)
        .addPeerURLs(peer).setIsLearner(learner).build();
  }

  @Test
  void statusSummarySaysVotersLearnersAndWhoIsDown() {
    ClusterLayout l = new ClusterLayout(3, 13000, dir);
    List<raft.kv.api.etcdserverpb.Member> ms = List.of(member(5, "", l.peerUrl(4), true),
        member(9, "n2", l.peerUrl(2), false), member(7, "n1", l.peerUrl(1), false),
        member(8, "far", "http://10.0.0.9:2380", false));
    assertEquals("voters: n1,n2,far  learners: n4  in the configuration but not up:"
        + " n1,n2,n4,far\n", StatusVerbs.summary(l, new NodeProcesses(l), Optional.of(ms),
        java.util.Map.of()));
  }

  @Test
  void aNewMembersInitialClusterNamesEveryMemberByNode() {
    ClusterLayout l = new ClusterLayout(3, 160, dir);
    assertEquals("n1=http://127.0.0.1:12540,n2=http://127.0.0.1:22540,"
        + "n4=http://127.0.0.1:42540", MemberVerbs.initialCluster(l, List.of(
            member(11, "n1", l.peerUrl(1), false), member(12, "n2", l.peerUrl(2), false),
            member(13, "", l.peerUrl(4), true))));
    assertThrows(Clients.Failure.class, () -> MemberVerbs.initialCluster(l, List.of(
        member(14, "", "http://10.0.0.1:2380", false))));
  }

  @Test
  void membersRecordHowEachNodeFirstStarted() throws IOException {
    ClusterLayout l = new ClusterLayout(3, 0, dir);
    Members m = Members.load(l);
    assertEquals(List.of(1, 2, 3), m.ks(), "a directory from before: the start's nodes");
    assertEquals("new", m.state(2));
    m.remove(2);
    m.put(4, "n1=http://127.0.0.1:12380,n4=http://127.0.0.1:42380", "existing");
    m.save();
    Members back = Members.load(l);
    assertEquals(List.of(1, 3, 4), back.ks());
    assertEquals("existing", back.state(4));
    String cmd = String.join(" ", new NodeProcesses(l).command(4, Path.of("/x/raftkv.jar")));
    assertTrue(cmd.contains("--name n4 --initial-cluster n1=http://127.0.0.1:12380,"
        + "n4=http://127.0.0.1:42380 --initial-cluster-state existing --listen-client-urls"
        + " http://127.0.0.1:42379"), cmd);
    String first = String.join(" ", new NodeProcesses(l).command(1, Path.of("/x/raftkv.jar")));
    assertFalse(first.contains("--initial-cluster-state"), first);
  }

  @Test
  void aStoppedMemberShowsItsCauseNeverARole() {
    ClusterLayout l = new ClusterLayout(3, 0, dir);
    NodeStatusResponse s = NodeStatusResponse.newBuilder().setId(2).setRole("leader")
        .setTerm(4).setLeader(2).setFailure("storage failure: Input/output error").build();
    assertEquals(List.of("n2", "4242", "stopped: storage failure", "?", "-", "-", "-", "-", "-",
        "-", "127.0.0.1:22379", "127.0.0.1:22381"),
        StatusVerbs.row(l, 2, Optional.of(4242L), NodeProcesses.State.UP, Optional.of(s)));
    assertEquals("stopped: disk full", StatusVerbs.row(l, Ids.ofNodes(), 3, Optional.empty(),
        NodeProcesses.State.DOWN, Optional.empty(),
        Optional.of("disk full: no space left on device"), "voter").get(2));
  }

  @Test
  void aDownMembersReasonComesFromItsLastLogLine() throws IOException {
    ClusterLayout l = new ClusterLayout(3, 0, dir);
    NodeProcesses procs = new NodeProcesses(l);
    assertEquals(Optional.empty(), procs.fatalExitReason(1)); // no log at all
    Files.writeString(l.logFile(1), "12:00:00.000 n1: started\n12:00:01.000 n1: fatal, exiting"
        + " with status 73: disk full: no space left on device for d (x)\n\n");
    assertEquals(Optional.of("disk full: no space left on device for d (x)"),
        procs.fatalExitReason(1));
    Files.writeString(l.logFile(1), "12:00:02.000 n1: started again\n",
        java.nio.file.StandardOpenOption.APPEND);
    assertEquals(Optional.empty(), procs.fatalExitReason(1), "a restart clears it");
  }

  @Test
  void partitionCutsBothWays() {
    ClusterLayout l = new ClusterLayout(5, 0, dir);
    List<Integer> all = List.of(1, 2, 3, 4, 5);
    Set<Integer> side = StatusVerbs.parseSide(l, all, "n1,n2");
    assertEquals(List.of(3, 4, 5), StatusVerbs.cutFor(all, side, 1));
    assertEquals(List.of(3, 4, 5), StatusVerbs.cutFor(all, side, 2));
    assertEquals(List.of(1, 2), StatusVerbs.cutFor(all, side, 4));
    assertThrows(Clients.Failure.class, () -> StatusVerbs.parseSide(l, all, "n1,n2,n3,n4,n5"));
    assertThrows(IllegalArgumentException.class, () -> StatusVerbs.parseSide(l, all, "n6"));
    List<Integer> afterRemove = List.of(1, 3, 4);
    assertEquals(List.of(3, 4), StatusVerbs.cutFor(afterRemove,
        StatusVerbs.parseSide(l, afterRemove, "n1"), 1));
    assertThrows(Clients.Failure.class, () -> StatusVerbs.parseSide(l, afterRemove, "n2"),
        "a removed node is on neither side");
  }

  @Test
  void startRefusesATakenClientPort() throws IOException {
    int offset = 13000;
    while (true) { // the first offset whose n1 client port we can hold ourselves
      try (ServerSocket held = new ServerSocket(2379 + offset, 1,
          InetAddress.getLoopbackAddress())) {
        CliRun r = cluster("start", "--nodes", "1", "--port-offset", Integer.toString(offset));
        assertEquals(1, r.exit());
        assertEquals("Error: port " + (2379 + offset) + " (n1 client) is already in use;"
            + " stop whatever holds it or choose another --port-offset", r.errLine());
        assertFalse(Files.exists(dir.resolve(ClusterLayout.MARKER)), "nothing recorded");
        return;
      } catch (java.net.BindException busy) {
        offset += 7;
      }
    }
  }

  @Test
  void startNeedsTheJar() {
    CliRun r = cluster("start", "--nodes", "1", "--port-offset", "13100", "--jar",
        dir.resolve("missing.jar").toString());
    assertEquals(1, r.exit());
    assertTrue(r.errLine().startsWith("Error: node jar not found: " + dir.resolve("missing.jar")),
        r.err());
  }

  @Test
  void startRefusesADifferentShapeOverOldData() throws IOException {
    new ClusterLayout(3, 0, dir).save();
    CliRun r = cluster("start", "--nodes", "5");
    assertEquals(1, r.exit());
    assertTrue(r.errLine().contains("holds a 3-node cluster with --port-offset 0"), r.err());
  }

  @Test
  void cleanDeletesOnlyClusterDirectories() throws IOException {
    Files.writeString(dir.resolve("precious.txt"), "keep me");
    CliRun refused = cluster("clean");
    assertEquals(1, refused.exit());
    assertTrue(refused.errLine().startsWith("Error: refusing to delete " + dir), refused.err());
    assertTrue(Files.exists(dir.resolve("precious.txt")));

    Files.delete(dir.resolve("precious.txt"));
    new ClusterLayout(3, 0, dir).save();
    Files.createDirectories(dir.resolve("n1/wal"));
    CliRun cleaned = cluster("clean");
    assertEquals(0, cleaned.exit(), cleaned.err());
    assertEquals("no node was running\ndeleted " + dir + "\n", cleaned.out());
    assertFalse(Files.exists(dir));
  }
}
