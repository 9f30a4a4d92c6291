package raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.RangeResponse;
import raft.kv.api.mvccpb.KeyValue;
import raft.kv.pb.AdminGrpc;
import raft.kv.pb.NodeStatusRequest;
import raft.kv.pb.NodeStatusResponse;

/**
 * Issue 14's "done when", on real processes through scripts/cluster's verbs only: 3 members
 * under a write load, {@code add n4}, {@code add n5} (each a learner that catches up and is
 * promoted: thesis §4.2.1), kill two of the five (the leader among them), writes go on (3 of 5
 * is a quorum), {@code remove} the two dead ones, and every acknowledged write is on every
 * remaining member, read from each member itself (serializable reads).
 */
class ClusterMembershipTest {
  static final int OFFSET = 160;
  private static final String PREFIX = "grow/";

  @Test
  @DisplayName("§4.2.1/§6: grow 3 -> 5 under load, kill two (the leader among them), remove"
      + " them: every acknowledged write on every remaining member")
  void growKillTwoRemoveThemAndNothingAcknowledgedIsLost() throws Exception {
    Preconditions.requireEtcdctl();
    try (LocalCluster cluster = new LocalCluster(3, OFFSET, "membership").start()) {
      Load load = new Load(cluster);
      Thread writer = new Thread(load, "membership-load");
      writer.start();
      try {
        load.awaitAcknowledged(50, 30);
        ok(cluster, "add", "n4");
        ok(cluster, "add", "n5");
        String status = ok(cluster, "status");
        assertTrue(status.contains("voters: n1,n2,n3,n4,n5  learners: -"), status);

        int leader = leaderNode(cluster, 5);
        int other = leader == 1 ? 2 : 1;
        ok(cluster, "kill", "n" + leader);
        ok(cluster, "kill", "n" + other);
        int before = load.acknowledged.size();
        load.awaitAcknowledged(before + 50, 60); // writes go on: 3 of 5 are a quorum

        ok(cluster, "remove", "n" + leader);
        ok(cluster, "remove", "n" + other);
        load.awaitAcknowledged(load.acknowledged.size() + 20, 60);
      } finally {
        load.stop.set(true);
        writer.join(30_000);
      }
      String status = ok(cluster, "status");
      assertTrue(status.contains("learners: -  in the configuration but not up: -"), status);
      List<Integer> remaining = new ArrayList<>(List.of(1, 2, 3, 4, 5));
      for (String dead : load.killed(status)) {
        remaining.remove(Integer.valueOf(dead.substring(1)));
      }
      assertEquals(3, remaining.size(), status);
      long revision = load.lastRevision;
      for (int k : remaining) {
        Map<String, String> kvs = serializableReadAt(cluster, k, revision);
        for (Map.Entry<String, String> e : load.acknowledged.entrySet()) {
          assertEquals(e.getValue(), kvs.get(e.getKey()), "n" + k + " lacks acknowledged write "
              + e.getKey() + " (" + load.acknowledged.size() + " acknowledged)\n" + status);
        }
      }
    }
  }

  static String ok(LocalCluster cluster, String verb, String... args) throws Exception {
    LocalCluster.Result r = cluster.cluster(verb, args);
    assertEquals(0, r.exit(), "scripts/cluster " + verb + " " + String.join(" ", args) + ": "
        + r);
    return r.out();
  }

  /** The node (1..n) whose member answers that it is the leader; waits (bounded) for one. */
  static int leaderNode(LocalCluster cluster, int nodes) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (int k = 1; k <= nodes; k++) {
        ManagedChannel ch = cluster.channel(k);
        try {
          NodeStatusResponse s = AdminGrpc.newBlockingStub(ch)
              .withDeadlineAfter(1, TimeUnit.SECONDS)
              .nodeStatus(NodeStatusRequest.getDefaultInstance());
          if (s.getRole().equals("leader")) {
            return k;
          }
        } catch (RuntimeException downOrBusy) {
          // the next one
        } finally {
          ch.shutdownNow();
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no leader within 30 s");
  }

  /** Member k's own keys under the prefix, once it has applied {@code revision} (bounded). */
  static Map<String, String> serializableReadAt(LocalCluster cluster, int k, long revision)
      throws InterruptedException {
    ManagedChannel ch = cluster.channel(k);
    RangeRequest req = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(PREFIX))
        .setRangeEnd(ByteString.copyFromUtf8("grow0")).setSerializable(true).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    RangeResponse r = null;
    while (System.nanoTime() < deadline) {
      try {
        r = KVGrpc.newBlockingStub(ch).withDeadlineAfter(3, TimeUnit.SECONDS).range(req);
        if (r.getHeader().getRevision() >= revision) {
          break;
        }
      } catch (RuntimeException notYet) {
        // starting up or busy: again
      }
      Thread.sleep(200);
    }
    assertTrue(r != null && r.getHeader().getRevision() >= revision, "n" + k
        + " did not reach revision " + revision + " within 30 s: " + r);
    Map<String, String> kvs = new HashMap<>();
    for (KeyValue kv : r.getKvsList()) {
      kvs.put(kv.getKey().toStringUtf8(), kv.getValue().toStringUtf8());
    }
    return kvs;
  }

  /**
   * One writer, bounded (20,000 puts or 240 s): puts grow/i = i, on one member at a time,
   * moving to the next of n1..n5 when the member fails (down, removed or not yet started).
   * Only a put that answered OK counts as acknowledged.
   */
  static final class Load implements Runnable {
    final Map<String, String> acknowledged = new ConcurrentHashMap<>();
    final AtomicBoolean stop = new AtomicBoolean();
    volatile long lastRevision;
    private final LocalCluster cluster;

    Load(LocalCluster cluster) {
      this.cluster = cluster;
    }

    @Override
    public void run() {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
      int member = 1;
      ManagedChannel ch = cluster.channel(member);
      for (int i = 0; i < 20_000 && !stop.get() && System.nanoTime() < deadline; i++) {
        String key = PREFIX + i;
        try {
          long rev = KVGrpc.newBlockingStub(ch).withDeadlineAfter(3, TimeUnit.SECONDS)
              .put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
                  .setValue(ByteString.copyFromUtf8("v" + i)).build()).getHeader()
              .getRevision();
          acknowledged.put(key, "v" + i);
          lastRevision = Math.max(lastRevision, rev);
        } catch (RuntimeException failed) {
          ch.shutdownNow();
          member = member % 5 + 1;
          ch = cluster.channel(member);
          sleepQuietly(50);
        }
      }
      ch.shutdownNow();
    }

    void awaitAcknowledged(int count, int seconds) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (acknowledged.size() < count && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertTrue(acknowledged.size() >= count, "writes stalled: " + acknowledged.size()
          + " acknowledged, wanted " + count + " within " + seconds + " s");
    }

    /** The nodes status no longer shows (removed: their rows are gone). */
    List<String> killed(String status) {
      List<String> gone = new ArrayList<>();
      for (int k = 1; k <= 5; k++) {
        if (!status.contains("| n" + k + " ")) {
          gone.add("n" + k);
        }
      }
      return gone;
    }

    private static void sleepQuietly(long millis) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
