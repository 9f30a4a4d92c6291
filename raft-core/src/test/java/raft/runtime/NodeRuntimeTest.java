package raft.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import raft.core.StateRole;
import raft.storage.durable.DurableStorage;

/**
 * Three real {@link NodeRuntime}s (threads, fsync, temp dirs) over an in-process network. Time
 * is the test's: each member's clock is a {@link ManualTicker}, and the test ticks the members
 * a round at a time, each tick and what it leads to settled before the next, so an election
 * takes a few rounds whatever the machine's load, and a leader never loses its lease to a slow
 * fsync. Everything else waits on events (futures, latches, the state machines' await methods),
 * bounded by generous timeouts.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES) // a member that never stops would hang close()
class NodeRuntimeTest {
  static final List<Long> IDS = List.of(1L, 2L, 3L);
  static final long WAIT = 10;
  static final int ELECTION_TICKS = 10;
  /** Rounds enough for many election timeouts ([T, 2T) ticks each): split votes retry. */
  static final int MAX_ROUNDS = 50 * ELECTION_TICKS;

  @TempDir
  Path root;
  final LocalNetwork net = new LocalNetwork();
  final Map<Long, NodeRuntime> nodes = new TreeMap<>();
  final Map<Long, RecordingStateMachine> sms = new TreeMap<>();
  final Map<Long, ManualTicker> tickers = new TreeMap<>();
  final List<String> log = Collections.synchronizedList(new ArrayList<>());
  volatile CompletableFuture<Long> elected = new CompletableFuture<>();

  final Map<Long, FailingWalFiles> disks = new TreeMap<>();
  /** Every failure listener call, in order: "id kind". */
  final List<String> failures = Collections.synchronizedList(new ArrayList<>());
  final Map<Long, CompletableFuture<Failure>> failed = new ConcurrentHashMap<>();
  final CountDownLatch allFailed = new CountDownLatch(IDS.size());

  void startNode(long id, long snapshotCount) throws Exception {
    RecordingStateMachine sm = new RecordingStateMachine();
    ManualTicker ticker = new ManualTicker();
    NodeRuntime.Options o = new NodeRuntime.Options(id, IDS, root.resolve("n" + id), 10,
        ELECTION_TICKS, 1, snapshotCount, log::add).withSeed(id);
    NodeRuntime n = new NodeRuntime(o, net.transport(id), sm, (dir, peers, so) -> {
      FailingWalFiles disk = new FailingWalFiles(dir.resolve("wal"));
      disks.put(id, disk);
      return DurableStorage.open(dir, peers, so, disk);
    }, ticker);
    n.addLeaderListener((lead, term, isSelf) -> {
      if (isSelf) {
        elected.complete(id);
      }
    });
    CompletableFuture<Failure> stopped = new CompletableFuture<>();
    failed.put(id, stopped);
    n.addFailureListener(f -> {
      failures.add(id + " " + f.kind());
      stopped.complete(f);
      allFailed.countDown();
    });
    nodes.put(id, n);
    sms.put(id, sm);
    tickers.put(id, ticker);
    n.start();
  }

  void startAll(long snapshotCount) throws Exception {
    elected = new CompletableFuture<>();
    for (long id : IDS) {
      startNode(id, snapshotCount);
    }
  }

  void closeAll() {
    nodes.values().forEach(NodeRuntime::close);
    nodes.clear();
  }

  @AfterEach
  void tearDown() {
    net.releaseAll();
    closeAll();
  }

  /**
   * One tick of member {@code id}, and everything it leads to on that member settled: its
   * messages sent, its writes durable and acknowledged. A stopped member ignores it.
   */
  void tick(long id) throws Exception {
    tickers.get(id).tick();
    try {
      nodes.get(id).settled().handle((v, e) -> null).get(WAIT, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("member " + id + " did not settle a tick in " + WAIT + " s", e);
    }
  }

  /**
   * Ticks {@code ids} a round at a time until {@code done}. A round is a unit of time that
   * every message sent in it outlives: a candidate hears its votes in a few rounds, before it
   * could time out again.
   */
  void tickUntil(BooleanSupplier done, Collection<Long> ids) throws Exception {
    for (int round = 0; round < MAX_ROUNDS && !done.getAsBoolean(); round++) {
      for (long id : ids) {
        tick(id);
      }
    }
  }

  /** Ticks every member until one of them has been elected; returns it. */
  long tickUntilLeader() throws Exception {
    tickUntil(elected::isDone, IDS);
    assertTrue(elected.isDone(), "no leader after " + MAX_ROUNDS + " rounds of ticks");
    return elected.get();
  }

  static ByteString cmd(String s) {
    return ByteString.copyFromUtf8(s);
  }

  /** Proposes v{from}..v{to} one after the other through {@code leader}. */
  void proposeAll(long leader, int from, int to) throws Exception {
    for (int i = from; i <= to; i++) {
      nodes.get(leader).propose(cmd("v" + i)).get(WAIT, TimeUnit.SECONDS);
    }
  }

  static List<String> values(List<String> applied) {
    return applied.stream().map(s -> s.substring(s.indexOf(':') + 1)).toList();
  }

  static List<String> expectedValues(int n) {
    return IntStream.rangeClosed(1, n).mapToObj(i -> "v" + i).toList();
  }

  static long indexOf(String applied) {
    return Long.parseLong(applied.substring(0, applied.indexOf(':')));
  }

  @Test
  @DisplayName("§5.2-§5.3: a leader is elected, and every member applies the same commands at "
      + "the same indexes; §6.4: a ReadIndex read on a follower sees the last write")
  void replicatesAndReads() throws Exception {
    startAll(1000);
    long leader = tickUntilLeader();
    proposeAll(leader, 1, 30);
    List<String> want = sms.get(leader).awaitCommands(30, WAIT);
    assertEquals(expectedValues(30), values(want));
    for (long id : IDS) {
      assertEquals(want, sms.get(id).awaitCommands(30, WAIT), "member " + id);
    }
    long lastWrite = indexOf(want.get(29));
    long follower = IDS.stream().filter(id -> id != leader).findFirst().orElseThrow();
    long ri = nodes.get(follower).readIndex().get(WAIT, TimeUnit.SECONDS);
    assertTrue(ri >= lastWrite, "read index " + ri + " < last write " + lastWrite);
    assertTrue(sms.get(follower).lastIndex() >= ri, "read completed before applying");
    NodeRuntime.Status st = nodes.get(leader).status();
    assertEquals(StateRole.LEADER, st.role());
    assertNull(st.failure());
    assertTrue(st.applied() >= lastWrite && st.commit() >= lastWrite, st.toString());
  }

  @Test
  @DisplayName("batching: proposals that arrive while the leader is busy travel in one append")
  void proposalsThatArriveTogetherShareOneAppend() throws Exception {
    startAll(1000);
    long leader = tickUntilLeader();
    proposeAll(leader, 1, 3);
    CountDownLatch blocked = net.hold(leader);
    CompletableFuture<Void> v4 = nodes.get(leader).propose(cmd("v4"));
    assertTrue(blocked.await(WAIT, TimeUnit.SECONDS), "the leader's loop is held in a send");
    List<CompletableFuture<Void>> batch = new ArrayList<>();
    for (int i = 5; i <= 104; i++) {
      batch.add(nodes.get(leader).propose(cmd("v" + i)));
    }
    net.releaseAll();
    v4.get(WAIT, TimeUnit.SECONDS);
    for (CompletableFuture<Void> f : batch) {
      f.get(WAIT, TimeUnit.SECONDS);
    }
    for (long id : IDS) {
      assertEquals(expectedValues(104), values(sms.get(id).awaitCommands(104, WAIT)), "member " + id);
    }
    int largest = net.appendSizes.stream().mapToInt(Integer::intValue).max().orElse(0);
    assertTrue(largest >= 100, "one append carried the 100 proposals; largest had " + largest);
  }

  @Test
  @DisplayName("Figure 2 persistent state: closed and reopened from their directories, the "
      + "members rebuild the same state machine from the log and go on")
  void restartRebuildsFromLog() throws Exception {
    startAll(1000);
    proposeAll(tickUntilLeader(), 1, 20);
    List<String> want = sms.get(1L).awaitCommands(20, WAIT);
    long lastIndex = nodes.get(1L).status().lastIndex();
    closeAll();
    startAll(1000);
    long leader = tickUntilLeader();
    // A follower whose acknowledgement reaches the leader after the commit moved learns the
    // commit index from the next heartbeat: keep ticking, as a real member's clock does.
    tickUntil(() -> IDS.stream().allMatch(id -> sms.get(id).applied().size() >= 20), IDS);
    for (long id : IDS) {
      assertEquals(want, sms.get(id).awaitCommands(20, WAIT), "member " + id);
      assertTrue(nodes.get(id).status().lastIndex() >= lastIndex);
    }
    proposeAll(leader, 21, 21);
    for (long id : IDS) {
      assertEquals(expectedValues(21), values(sms.get(id).awaitCommands(21, WAIT)));
    }
  }

  @Test
  @DisplayName("§7: a member that was down while the others compacted their logs catches up "
      + "by snapshot; after a full restart everyone starts from their own snapshot")
  void catchUpBySnapshot() throws Exception {
    startAll(20);
    long leader = tickUntilLeader();
    long lagger = IDS.stream().filter(id -> id != leader).findFirst().orElseThrow();
    nodes.remove(lagger).close();
    proposeAll(leader, 1, 100);
    List<String> want = sms.get(leader).awaitCommands(100, WAIT);
    try (Stream<Path> snaps = Files.list(root.resolve("n" + leader).resolve("snap"))) {
      assertTrue(snaps.findAny().isPresent(), "the leader took no snapshot");
    }
    startNode(lagger, 20);
    // The leader learns that the lagger is back from its answer to a heartbeat.
    tickUntil(() -> sms.get(lagger).applied().size() >= 100, IDS);
    assertEquals(want, sms.get(lagger).awaitCommands(100, WAIT));
    assertTrue(sms.get(lagger).restores() > 0, "caught up by entries, not by snapshot");

    closeAll();
    startAll(20);
    tickUntilLeader();
    for (long id : IDS) {
      assertEquals(want, sms.get(id).awaitCommands(100, WAIT), "member " + id);
      assertEquals(1, sms.get(id).restores(), "member " + id + " restored its own snapshot");
    }
  }

  @Test
  @DisplayName("§5.2: the election timeout's jitter comes from the seed in Options if given; "
      + "the old constructors leave it to the clock, as before")
  void seedDecidesTheJitter() {
    NodeRuntime.Options o = new NodeRuntime.Options(1, IDS, root, 10, 10, 1, 0, log::add);
    assertTrue(o.seed().isEmpty());
    assertEquals(OptionalLong.of(42), o.withSeed(42).seed());
    assertEquals(new SplittableRandom(42).nextLong(), o.withSeed(42).random().nextLong());
    assertEquals(new NodeRuntime.Options(1, IDS, root, 10, 10, 1, 0, o.log(), 0,
        OptionalLong.of(42)), o.withSeed(42), "the other options are kept");
  }

  @Test
  @DisplayName("requests without a leader fail with NoLeaderException, after close with "
      + "NodeStoppedException")
  void noLeaderThenStopped() throws Exception {
    startNode(1, 1000); // alone: with PreVote (§9.6) it can never win an election
    for (int i = 0; i < 3 * ELECTION_TICKS; i++) {
      tick(1); // it campaigns, and stays without a leader
    }
    assertEquals(0, nodes.get(1L).status().lead());
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> nodes.get(1L).propose(cmd("x")).get(WAIT, TimeUnit.SECONDS));
    assertInstanceOf(NoLeaderException.class, e.getCause());
    e = assertThrows(ExecutionException.class,
        () -> nodes.get(1L).readIndex().get(WAIT, TimeUnit.SECONDS));
    assertInstanceOf(NoLeaderException.class, e.getCause());
    nodes.get(1L).close();
    nodes.get(1L).close(); // idempotent
    assertTrue(tickers.get(1L).stopped(), "a closed member stops its clock");
    e = assertThrows(ExecutionException.class,
        () -> nodes.get(1L).propose(cmd("y")).get(WAIT, TimeUnit.SECONDS));
    assertInstanceOf(NodeStoppedException.class, e.getCause());
  }

  @Test
  @DisplayName("a failed fsync on the leader stops it for good: it reports the failure, "
      + "applies nothing it did not persist, and the others elect a new leader and go on")
  void fsyncFailureIsFatal() throws Exception {
    long leader = storageFailureIsFatal(disk -> disk.failForce = true,
        "storage failure: injected fsync failure (EIO)");
    assertTrue(nodes.get(leader).status().failure().contains("cannot be retried safely"));
    assertEquals(List.of(leader + " STORAGE"), failures, "the listener is told once");
  }

  @Test
  @DisplayName("a full disk (ENOSPC) on the leader: it stops accepting writes and says why, "
      + "and what it had persisted before is intact when it restarts")
  void diskFullIsFatalAndCorruptsNothing() throws Exception {
    long leader = storageFailureIsFatal(disk -> disk.diskFull = true,
        "disk full: no space left on device for " + root.resolve("n"));
    assertTrue(nodes.get(leader).status().failure().contains("free space and restart"));
    assertEquals(List.of(leader + " DISK_FULL"), failures, "the listener is told once");
    nodes.get(leader).close();
    disks.get(leader).diskFull = false; // space freed, the member restarts from its data
    startNode(leader, 1000);
    long survivor = IDS.stream().filter(id -> id != leader).findFirst().orElseThrow();
    List<String> survivors = values(sms.get(survivor).awaitCommands(6, WAIT));
    // The new leader finds the restarted member with its heartbeats.
    tickUntil(() -> sms.get(leader).applied().size() >= survivors.size(), IDS);
    assertEquals(survivors, values(sms.get(leader).awaitCommands(survivors.size(), WAIT)));
  }

  private long storageFailureIsFatal(java.util.function.Consumer<FailingWalFiles> breakDisk,
      String failure) throws Exception {
    startAll(1000);
    long leader = tickUntilLeader();
    proposeAll(leader, 1, 5);
    sms.get(leader).awaitCommands(5, WAIT); // persisted: propose() completes before that
    elected = new CompletableFuture<>();
    breakDisk.accept(disks.get(leader));
    // Accepted by Raft, then its fsync fails (or an earlier write's did: either way it stops).
    nodes.get(leader).propose(cmd("never-persisted")).handle((v, t) -> t)
        .get(WAIT, TimeUnit.SECONDS);
    failed.get(leader).get(WAIT, TimeUnit.SECONDS);
    // The old leader is ticked too: had its loop gone on, its heartbeats would keep the others
    // from electing anyone.
    long next = tickUntilLeader();
    assertTrue(next != leader);
    NodeRuntime.Status st = nodes.get(leader).status();
    assertTrue(st.failure() != null && st.failure().startsWith(failure),
        String.valueOf(st.failure()));
    assertEquals(StateRole.FOLLOWER, st.role(), "a stopped leader no longer claims to lead");
    assertEquals(0, st.lead());
    assertTrue(log.contains("member " + leader + " stops: " + st.failure()), log.toString());
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> nodes.get(leader).propose(cmd("late")).get(WAIT, TimeUnit.SECONDS));
    assertInstanceOf(NodeStoppedException.class, e.getCause());
    proposeAll(next, 6, 6);
    assertFalse(values(sms.get(leader).awaitCommands(5, WAIT)).contains("never-persisted"),
        "the failed member applies (so acknowledges) nothing it could not persist");
    for (long id : IDS) {
      if (id != leader) {
        assertEquals(expectedValues(6), survivorsLog(id),
            "member " + id + ": everything acknowledged, in order");
      }
    }
    return leader;
  }

  /**
   * What a surviving member applied, without the command whose fsync failed on the old leader.
   * Thesis §10.2.1 lets that leader send the entry before its own fsync, so the survivors may
   * have it and commit it without the leader: a write nobody was told about, which may or may
   * not happen (a client sees a timeout). If it happened, it is right after v5.
   */
  private List<String> survivorsLog(long id) throws Exception {
    List<String> got = values(sms.get(id).awaitCommands(6, WAIT));
    if (got.contains("never-persisted")) {
      got = values(sms.get(id).awaitCommands(7, WAIT));
      assertEquals("never-persisted", got.get(5), got.toString());
    }
    return got.stream().filter(v -> !v.equals("never-persisted")).toList();
  }

  @Test
  @DisplayName("a state machine that throws stops every member that applies the entry, each "
      + "saying so, and tells each owner once; a listener added later is told at once")
  void stateMachineFailureIsFatal() throws Exception {
    NodeRuntime.Status st = failEverywhere("fail:bug");
    assertTrue(st.failure().startsWith("state machine failure: injected state machine bug "
        + "(IllegalStateException); the state it serves can no longer advance"), st.failure());
    List<Failure.Kind> told = new ArrayList<>();
    nodes.get(1L).addFailureListener(f -> told.add(f.kind()));
    assertEquals(List.of(Failure.Kind.STATE_MACHINE), told);
  }

  @Test
  @DisplayName("an OutOfMemoryError on the apply thread stops the member as out of memory")
  void outOfMemoryIsFatal() throws Exception {
    NodeRuntime.Status st = failEverywhere("fail:oom");
    assertTrue(st.failure().startsWith("out of memory: Direct buffer memory (OutOfMemoryError);"
        + " restart this member"), st.failure());
  }

  /** Proposes a command every state machine fails on; returns member 1's status after. */
  private NodeRuntime.Status failEverywhere(String command) throws Exception {
    startAll(1000);
    long leader = tickUntilLeader();
    proposeAll(leader, 1, 2);
    nodes.get(leader).propose(cmd(command)).get(WAIT, TimeUnit.SECONDS);
    assertTrue(allFailed.await(WAIT, TimeUnit.SECONDS), failures.toString());
    assertEquals(IDS.size(), failures.size(), failures.toString());
    assertEquals(IDS.size(), failures.stream().distinct().count(), "each told once");
    for (long id : IDS) {
      assertTrue(nodes.get(id).failure().isPresent(), "member " + id);
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> nodes.get(id).propose(cmd("late")).get(WAIT, TimeUnit.SECONDS));
      assertInstanceOf(NodeStoppedException.class, e.getCause());
    }
    return nodes.get(1L).status();
  }
}
