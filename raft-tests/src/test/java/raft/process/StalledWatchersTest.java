package raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.kv.api.etcdserverpb.CompactionRequest;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.WatchCreateRequest;
import raft.kv.api.etcdserverpb.WatchGrpc;
import raft.kv.api.etcdserverpb.WatchRequest;
import raft.kv.api.etcdserverpb.WatchResponse;
import raft.kv.api.mvccpb.Event;
import raft.kv.pb.NodeStatusResponse;

/**
 * Issue 12 §1: clients that stop reading must never stop a member. On every member, watchers
 * that read their first message (created) and then nothing, while a write load of 1 KiB values
 * runs for most of a minute. Every member must stay up, answer and apply; writes keep
 * succeeding; and once the watchers read again each gets every event of its range in revision
 * order, once, up to the final revision, or etcd's compaction cancel.
 *
 * <p>The members run with 64 MB of direct memory (the default is the heap size, 256 MB) so that
 * an unbounded send buffer shows within the minute: before the fix, the undelivered events of
 * these watchers filled it in about 20 seconds and members died.
 */
class StalledWatchersTest {
  private static final int PORT_OFFSET = 10;
  private static final String JVM_OPTS = "-Xms128m -Xmx256m -Xmn16m -XX:MetaspaceSize=64m"
      + " -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError"
      + " -XX:MaxDirectMemorySize=64m";
  // -Dstalled.watchers=20 -Dstalled.rate=125 -Dstalled.seconds=60 reproduces the issue's
  // figures (20 stalled watchers per member, 500 puts/s) in a longer run.
  private static final int WATCHERS_PER_MEMBER = Integer.getInteger("stalled.watchers", 6);
  private static final int WRITERS = 4;
  private static final int PUTS_PER_SECOND_PER_WRITER = Integer.getInteger("stalled.rate", 70);
  private static final int LOAD_SECONDS = Integer.getInteger("stalled.seconds", 50);
  private static final int BUCKET_SECONDS = 10;
  private static final ByteString PREFIX = ByteString.copyFromUtf8("load/");
  private static final ByteString PREFIX_END = ByteString.copyFromUtf8("load0");
  private static final ByteString VALUE = ByteString.copyFrom(new byte[1024]);
  private static final String COMPACTED = "etcdserver: mvcc: required revision has been compacted";

  @Test
  @DisplayName("stalled watchers on every member during a write load: members stay up, writes "
      + "succeed, and each watcher later gets every event in order or a compaction cancel")
  void stalledWatchersNeverStopAMember() throws Exception {
    try (LocalCluster cluster = new LocalCluster(3, PORT_OFFSET, "stalled-watchers")
        .withJvmOpts(JVM_OPTS).start()) {
      List<StalledWatcher> watchers = openStalledWatchers(cluster);
      String rssBefore = residentMemory(cluster);
      Health health = new Health(cluster);
      health.start();
      AtomicIntegerArray okPerBucket = new AtomicIntegerArray(LOAD_SECONDS / BUCKET_SECONDS + 1);
      AtomicLong failed = new AtomicLong();
      runLoad(cluster, okPerBucket, failed);
      health.stopAndJoin();
      String rssAfter = residentMemory(cluster);

      String logs = "\nstatuses: " + cluster.statuses() + "\nn1 log tail:\n" + tail(cluster, 1)
          + "\nn2 log tail:\n" + tail(cluster, 2) + "\nn3 log tail:\n" + tail(cluster, 3);
      assertTrue(health.problems.isEmpty(), "members stopped or went silent: "
          + health.problems + logs);
      for (int b = 0; b < LOAD_SECONDS / BUCKET_SECONDS; b++) {
        assertTrue(okPerBucket.get(b) > 0, "no write succeeded in seconds " + b * BUCKET_SECONDS
            + "-" + (b + 1) * BUCKET_SECONDS + " of the load: " + okPerBucket + logs);
      }
      long finalRevision = awaitAllApplied(cluster);
      checkWatchersCatchUp(cluster, watchers, finalRevision, logs);
      long cancelled = watchers.stream().filter(w -> w.cancelReason != null).count();
      System.out.println("stalled watchers: " + watchers.size() + " stalled watchers, "
          + okPerBucket + " puts acknowledged per " + BUCKET_SECONDS + " s, " + failed
          + " failed; final revision " + finalRevision + "; " + (watchers.size() - cancelled)
          + " watchers got every event, " + cancelled + " were cancelled by the compaction;"
          + " members' resident memory before the load " + rssBefore + ", after " + rssAfter);
    }
  }

  private static List<StalledWatcher> openStalledWatchers(LocalCluster cluster)
      throws InterruptedException {
    List<StalledWatcher> all = new ArrayList<>();
    for (int n = 1; n <= cluster.nodes; n++) {
      ManagedChannel channel = cluster.channel(n);
      for (int i = 0; i < WATCHERS_PER_MEMBER; i++) {
        StalledWatcher w = new StalledWatcher("n" + n + "/w" + i);
        WatchGrpc.newStub(channel).watch(w).onNext(WatchRequest.newBuilder()
            .setCreateRequest(WatchCreateRequest.newBuilder().setKey(PREFIX)
                .setRangeEnd(PREFIX_END)).build());
        all.add(w);
      }
    }
    for (StalledWatcher w : all) {
      assertTrue(w.created.await(30, TimeUnit.SECONDS), w.name + " was not created");
    }
    return all;
  }

  /** WRITERS clients, each paced to PUTS_PER_SECOND_PER_WRITER, for LOAD_SECONDS. */
  private static void runLoad(LocalCluster cluster, AtomicIntegerArray okPerBucket,
      AtomicLong failed) throws InterruptedException {
    long start = System.nanoTime();
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(cluster.channel(w % cluster.nodes + 1));
      Thread t = new Thread(() -> {
        long total = (long) LOAD_SECONDS * PUTS_PER_SECOND_PER_WRITER;
        for (long i = 0; i < total; i++) {
          long due = start + i * 1_000_000_000L / PUTS_PER_SECOND_PER_WRITER;
          long wait = due - System.nanoTime();
          if (wait > 0) {
            sleepNanos(wait);
          }
          long elapsed = System.nanoTime() - start;
          if (elapsed > LOAD_SECONDS * 1_000_000_000L) {
            return;
          }
          try {
            kv.withDeadlineAfter(5, TimeUnit.SECONDS).put(PutRequest.newBuilder()
                .setKey(ByteString.copyFromUtf8("load/" + writer + "/" + i)).setValue(VALUE)
                .build());
            okPerBucket.incrementAndGet((int) (elapsed / 1_000_000_000L / BUCKET_SECONDS));
          } catch (RuntimeException refused) {
            failed.incrementAndGet();
          }
        }
      }, "writer-" + w);
      t.start();
      writers.add(t);
    }
    for (Thread t : writers) {
      t.join(TimeUnit.SECONDS.toMillis(LOAD_SECONDS + 30));
    }
  }

  /** Waits until every member has applied all it committed; returns the store's revision. */
  private static long awaitAllApplied(LocalCluster cluster) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      List<NodeStatusResponse> st = cluster.statuses();
      long commit = st.stream().mapToLong(NodeStatusResponse::getCommit).max().orElse(0);
      if (st.size() == cluster.nodes
          && st.stream().allMatch(s -> s.getApplied() == commit && s.getCommit() == commit)) {
        return KVGrpc.newBlockingStub(cluster.channel(cluster.awaitLeader(0, 10_000)))
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .range(RangeRequest.newBuilder().setKey(PREFIX).setLimit(1).build())
            .getHeader().getRevision();
      }
      Thread.sleep(200);
    }
    throw new AssertionError("members did not all apply what was committed: "
        + cluster.statuses());
  }

  /**
   * Half of each member's watchers read again first and must get everything; then the store is
   * compacted at the final revision and the other half read again: each must get a gap-free
   * prefix of the events, then either the rest or etcd's compaction cancel.
   */
  private static void checkWatchersCatchUp(LocalCluster cluster, List<StalledWatcher> watchers,
      long finalRevision, String logs) throws InterruptedException {
    List<StalledWatcher> first = new ArrayList<>();
    List<StalledWatcher> afterCompaction = new ArrayList<>();
    for (int i = 0; i < watchers.size(); i++) {
      (i % 2 == 0 ? first : afterCompaction).add(watchers.get(i));
    }
    first.forEach(StalledWatcher::readAgain);
    for (StalledWatcher w : first) {
      assertTrue(w.awaitDone(finalRevision, 60), w + " did not catch up to " + finalRevision
          + logs);
      assertEquals(finalRevision, w.lastRevision.get(), w + logs);
    }
    KVGrpc.newBlockingStub(cluster.channel(cluster.awaitLeader(0, 10_000)))
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .compact(CompactionRequest.newBuilder().setRevision(finalRevision).build());
    afterCompaction.forEach(StalledWatcher::readAgain);
    for (StalledWatcher w : afterCompaction) {
      assertTrue(w.awaitDone(finalRevision, 60), w + " neither caught up nor was cancelled"
          + logs);
      if (w.cancelReason != null) {
        assertEquals(COMPACTED, w.cancelReason, w.toString());
        assertEquals(finalRevision, w.compactRevision, w.toString());
      }
    }
    for (StalledWatcher w : watchers) {
      assertTrue(w.problems.isEmpty(), w + ": " + w.problems);
    }
  }

  /**
   * A watch client with manual flow control that asks for one message (the created response)
   * and then nothing until {@link #readAgain}. Checks that its events come one revision after
   * another, each once, from the revision after the created header's.
   */
  static final class StalledWatcher
      implements ClientResponseObserver<WatchRequest, WatchResponse> {
    final String name;
    final CountDownLatch created = new CountDownLatch(1);
    final AtomicLong lastRevision = new AtomicLong(-1);
    final List<String> problems = new CopyOnWriteArrayList<>();
    volatile String cancelReason;
    volatile long compactRevision;
    private volatile ClientCallStreamObserver<WatchRequest> call;
    private volatile boolean ended;

    StalledWatcher(String name) {
      this.name = name;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<WatchRequest> requestStream) {
      this.call = requestStream;
      requestStream.disableAutoRequestWithInitial(1);
    }

    void readAgain() {
      call.request(Integer.MAX_VALUE);
    }

    @Override
    public void onNext(WatchResponse r) {
      if (r.getCreated()) {
        lastRevision.set(r.getHeader().getRevision());
        created.countDown();
        return;
      }
      if (r.getCanceled()) {
        cancelReason = r.getCancelReason();
        compactRevision = r.getCompactRevision();
        ended = true;
        return;
      }
      for (Event e : r.getEventsList()) {
        long rev = e.getKv().getModRevision();
        long expected = lastRevision.get() + 1;
        if (rev != expected && problems.size() < 5) {
          problems.add("event at revision " + rev + " where " + expected + " was due");
        }
        lastRevision.set(rev);
      }
    }

    @Override
    public void onError(Throwable t) {
      problems.add("stream failed: " + t);
      ended = true;
    }

    @Override
    public void onCompleted() {
      ended = true;
    }

    boolean awaitDone(long finalRevision, int seconds) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (System.nanoTime() < deadline) {
        if (ended || lastRevision.get() >= finalRevision) {
          return true;
        }
        Thread.sleep(100);
      }
      return false;
    }

    @Override
    public String toString() {
      return "watcher " + name + " (last revision " + lastRevision + ", cancel " + cancelReason
          + " at " + compactRevision + ")";
    }
  }

  /** Every 2 s: is each member's process alive, and does it answer its status? */
  private static final class Health extends Thread {
    private final LocalCluster cluster;
    final List<String> problems = new CopyOnWriteArrayList<>();
    private volatile boolean stop;
    private final long start = System.nanoTime();

    Health(LocalCluster cluster) {
      super("health");
      this.cluster = cluster;
    }

    @Override
    public void run() {
      int[] silent = new int[cluster.nodes + 1];
      int leaderless = 0;
      while (!stop && problems.size() < 10) {
        long at = (System.nanoTime() - start) / 1_000_000_000L;
        List<NodeStatusResponse> st = cluster.statuses();
        for (int n = 1; n <= cluster.nodes; n++) {
          String name = "n" + n;
          if (!alive(n)) {
            problems.add(name + " process gone at " + at + " s");
          }
          boolean answered = st.stream().anyMatch(s -> s.getName().equals(name));
          // A loaded machine may miss one 1-second deadline; three in a row is a silent member.
          silent[n] = answered ? 0 : silent[n] + 1;
          if (silent[n] == 3) {
            problems.add(name + " has not answered its status for 3 checks, at " + at + " s");
          }
        }
        leaderless = st.stream().anyMatch(s -> s.getRole().equals("leader")) ? 0 : leaderless + 1;
        if (leaderless == 5) {
          problems.add("no leader for 5 checks in a row, at " + at + " s");
        }
        try {
          Thread.sleep(2000);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    private boolean alive(int n) {
      try {
        long pid = Long.parseLong(Files.readString(cluster.data.resolve("n" + n + ".pid"))
            .trim());
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
      } catch (Exception unreadable) {
        return false;
      }
    }

    void stopAndJoin() throws InterruptedException {
      stop = true;
      join(10_000);
    }
  }

  /** Each member's resident set size (VmRSS), for the report. */
  private static String residentMemory(LocalCluster cluster) {
    List<String> out = new ArrayList<>();
    for (int n = 1; n <= cluster.nodes; n++) {
      try {
        String pid = Files.readString(cluster.data.resolve("n" + n + ".pid")).trim();
        String rss = Files.readAllLines(java.nio.file.Path.of("/proc", pid, "status")).stream()
            .filter(l -> l.startsWith("VmRSS:")).findFirst().orElse("VmRSS: ?");
        out.add("n" + n + " " + rss.substring(6).trim());
      } catch (Exception gone) {
        out.add("n" + n + " gone");
      }
    }
    return out.toString();
  }

  private static String tail(LocalCluster cluster, int node) throws Exception {
    String log = cluster.log(node);
    return log.substring(Math.max(0, log.length() - 1500));
  }

  private static void sleepNanos(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
