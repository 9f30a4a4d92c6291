package raft.jepsen;

import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import raft.jepsen.client.Client;
import raft.jepsen.client.FinalRead;
import raft.jepsen.client.ReplicaHashes;
import raft.jepsen.client.History;
import raft.jepsen.client.Kv;
import raft.jepsen.client.Watcher;
import raft.jepsen.db.Db;
import raft.jepsen.history.Op;
import raft.jepsen.nemesis.FaultWindow;
import raft.jepsen.nemesis.Nemesis;
import raft.jepsen.nemesis.Schedule;
import raft.kv.api.etcdserverpb.RangeResponse;
import raft.kv.api.mvccpb.KeyValue;

/**
 * One run against a {@link Db}: clients (one connection each, spread over the members) and
 * watchers run for the configured time while the nemesis plays its schedule; then everything is
 * healed, a leader awaited, and the whole run prefix read once, linearizably.
 *
 * <p>Expected watch revisions: after the final read, a fresh watcher is opened from the run's
 * first revision and collects every event up to the last revision on the prefix (the largest
 * mod revision in the final read; nothing in a run deletes). That list is what every watcher
 * must have seen, in order, without gaps or duplicates. It is cross-checked against the final
 * read: its last revision must be the final read's largest one.
 *
 * <p>Blocking; run from one thread. Every thread and channel it starts is stopped before it
 * returns.
 */
public final class Harness {
  private static final long SETTLE_MILLIS = 30_000;

  private final Db db;
  private final RunConfig cfg;
  private final Consumer<String> log;

  public Harness(Db db, RunConfig cfg, Consumer<String> log) {
    this.db = db;
    this.cfg = cfg;
    this.log = log;
  }

  public RunResult run() throws Exception {
    String prefix = "jepsen/" + cfg.name() + "/";
    List<String> eps = db.endpoints();
    long startRev = FinalRead.prefix(db.dialer(), eps, prefix, SETTLE_MILLIS).response().getHeader()
        .getRevision();
    History history = new History(cfg.clients());
    Client.Shared shared = new Client.Shared(history, prefix, cfg.keys(), cfg.thinkMillis(),
        new AtomicLong(), ConcurrentHashMap.newKeySet(), ConcurrentHashMap.newKeySet(),
        new AtomicBoolean(), new ConcurrentHashMap<>());
    List<Watcher> watchers = new ArrayList<>();
    List<Thread> watcherThreads = new ArrayList<>();
    long t0 = System.nanoTime();
    try {
      startWatchers(eps, prefix, startRev, watchers, watcherThreads);
      List<FaultWindow> windows = loadUnderFaults(eps, shared, t0);
      long tEnd = System.nanoTime();
      List<String> notes = new ArrayList<>();
      shared.errors().forEach((what, n) -> notes.add("client errors: " + n.sum() + " x "
          + what));
      heal(notes);
      FinalRead.Timed fin = FinalRead.prefix(db.dialer(), eps, prefix, SETTLE_MILLIS);
      Set<String> finalSet = recordFinalRead(history, prefix, fin);
      long lastRev = maxModRevision(fin.response());
      List<Long> expected = expectedRevisions(eps, prefix, startRev, lastRev, notes);
      List<List<Long>> watched = drainWatchers(watchers, watcherThreads, lastRev, notes);
      // The members now: with the member nemesis, some endpoints have no member behind them.
      List<ReplicaHashes.Hash> replicas = ReplicaHashes.at(db.adminDialer(),
          db.memberEndpoints(), lastRev, SETTLE_MILLIS);
      long clientOps = history.events().stream().filter(e -> !e.workload().equals("final"))
          .count();
      return new RunResult(cfg, history.events(), windows,
          Set.copyOf(shared.acknowledgedAdds()), Set.copyOf(shared.uncertainAdds()), finalSet,
          watched, expected, replicas, lastRev, t0, tEnd, clientOps, notes);
    } finally {
      watchers.forEach(Watcher::stop); // idempotent; covers a run that failed part way
    }
  }

  /** The clients and the nemesis, for the configured time; every thread joined on return. */
  private List<FaultWindow> loadUnderFaults(List<String> eps, Client.Shared shared, long t0)
      throws InterruptedException {
    List<ManagedChannel> channels = new ArrayList<>();
    List<Thread> clients = new ArrayList<>();
    Nemesis nemesis = new Nemesis(db, db.controlsProcesses() ? cfg.schedule()
        : Schedule.none(), t0, log);
    Thread nemesisThread = new Thread(nemesis, "nemesis");
    try {
      startClients(eps, shared, channels, clients);
      nemesisThread.start();
      Thread.sleep(cfg.seconds() * 1000L);
    } finally {
      shared.stop().set(true);
      nemesis.stop();
      nemesisThread.join(120_000);
      for (Thread t : clients) {
        t.join(cfg.opDeadlineMillis() + 10_000);
      }
      channels.forEach(ManagedChannel::shutdownNow);
    }
    return nemesis.windows();
  }

  private void startClients(List<String> eps, Client.Shared shared,
      List<ManagedChannel> channels, List<Thread> threads) {
    SplittableRandom seeds = new SplittableRandom(cfg.seed());
    for (int lane = 0; lane < cfg.clients(); lane++) {
      ManagedChannel ch = db.dialer().dial(eps.get(lane % eps.size()));
      channels.add(ch);
      Kv kv = new Kv(ch, cfg.opDeadlineMillis(), cfg.serializableReads(),
          db.noLeaderMeansDropped());
      Thread t = new Thread(new Client(lane, kv, shared, seeds.nextLong()), "client-" + lane);
      t.start();
      threads.add(t);
    }
  }

  private void startWatchers(List<String> eps, String prefix, long startRev,
      List<Watcher> watchers, List<Thread> threads) {
    for (int w = 0; w < cfg.watchers(); w++) {
      Watcher watcher = new Watcher(db.dialer(), eps, w + 1, prefix, startRev + 1);
      Thread t = new Thread(watcher, "watcher-" + w);
      t.start();
      watchers.add(watcher);
      threads.add(t);
    }
  }

  /** Heals every fault (our cluster: the launcher's heal verb), then waits for a leader. */
  private void heal(List<String> notes) throws Exception {
    if (!db.controlsProcesses()) {
      return;
    }
    db.healAll();
    long deadline = System.nanoTime() + SETTLE_MILLIS * 1_000_000;
    while (db.leader() == 0) {
      if (System.nanoTime() > deadline) {
        notes.add("no leader within " + SETTLE_MILLIS + " ms of healing");
        return;
      }
      Thread.sleep(200);
    }
  }

  /** The final read, as one register read per key (on its own lane) and the set's contents. */
  private Set<String> recordFinalRead(History history, String prefix, FinalRead.Timed fin) {
    Set<String> set = new HashSet<>();
    String[] values = new String[cfg.keys()];
    for (KeyValue kv : fin.response().getKvsList()) {
      String key = kv.getKey().toStringUtf8().substring(prefix.length());
      if (key.startsWith("set/")) {
        set.add(key);
      } else if (key.startsWith("k")) {
        values[Integer.parseInt(key.substring(1))] = kv.getValue().toStringUtf8();
      }
    }
    int process = 1_000_000; // the final reads' own process, apart from every client's
    for (int k = 0; k < cfg.keys(); k++) {
      history.add(cfg.clients(), Op.read(process, "k" + k, values[k], fin.invokeNanos(),
          fin.completeNanos()), fin.completeNanos(), "final");
    }
    return set;
  }

  private static long maxModRevision(RangeResponse r) {
    return r.getKvsList().stream().mapToLong(KeyValue::getModRevision).max().orElse(0);
  }

  private List<Long> expectedRevisions(List<String> eps, String prefix, long startRev,
      long lastRev, List<String> notes) throws InterruptedException {
    Watcher fresh = new Watcher(db.dialer(), eps, 0, prefix, startRev + 1);
    List<List<Long>> seen = drainWatchers(List.of(fresh), List.of(start(fresh)), lastRev, notes);
    List<Long> expected = seen.get(0);
    if (lastRev != 0 && (expected.isEmpty() || expected.get(expected.size() - 1) != lastRev)) {
      notes.add("the reference watcher ended at " + (expected.isEmpty() ? "nothing"
          : expected.get(expected.size() - 1)) + ", not at the final read's " + lastRev);
    }
    return expected;
  }

  private static Thread start(Watcher w) {
    Thread t = new Thread(w, "watcher-reference");
    t.start();
    return t;
  }

  /** Waits (bounded) until each watcher has seen {@code lastRev}, then stops them all. */
  private static List<List<Long>> drainWatchers(List<Watcher> watchers, List<Thread> threads,
      long lastRev, List<String> notes) throws InterruptedException {
    long deadline = System.nanoTime() + SETTLE_MILLIS * 1_000_000;
    for (Watcher w : watchers) {
      while (w.lastRevision() < lastRev && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
    }
    List<List<Long>> out = new ArrayList<>();
    for (int i = 0; i < watchers.size(); i++) {
      watchers.get(i).stop();
      threads.get(i).join(10_000);
      out.add(watchers.get(i).revisions());
      if (watchers.get(i).lastRevision() < lastRev) {
        notes.add("watcher " + i + " stopped at revision " + watchers.get(i).lastRevision()
            + " < " + lastRev + " (" + watchers.get(i).reconnects() + " reconnects)");
      }
    }
    return out;
  }
}
