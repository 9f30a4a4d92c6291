package raft.jepsen.client;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import io.grpc.StatusRuntimeException;
import raft.jepsen.history.Op;
import raft.jepsen.history.Op.Outcome;

/**
 * One client lane: a loop of single operations on one connection until told to stop. Register
 * ops (read, write, CAS) on keys {@code k0..k(n-1)}, and set adds ({@code set/<n>}). Writes use
 * values unique to the run, which keeps the checker's search narrow; a CAS expects the value
 * this lane last saw for the key (so many of them succeed). Runs on its own thread.
 */
public final class Client implements Runnable {
  /** What the lanes share: the history, the set's bookkeeping, counters and the stop flag. */
  public record Shared(History history, String prefix, int keys, long thinkMillis,
      AtomicLong values, Set<String> acknowledgedAdds, Set<String> uncertainAdds,
      AtomicBoolean stop, Map<String, LongAdder> errors) {

    /** Counts an error by its gRPC code and description, for the run's notes. */
    void count(RuntimeException e) {
      String what = e.getClass().getSimpleName();
      if (e instanceof StatusRuntimeException s) {
        String d = s.getStatus().getDescription();
        boolean known = d != null && (d.startsWith("etcdserver:") || d.startsWith("jepsen:"));
        what = s.getStatus().getCode() + (known ? " " + d : "");
      }
      errors.computeIfAbsent(what, w -> new LongAdder()).increment();
    }
  }

  private final int lane;
  private final Kv kv;
  private final Shared shared;
  private final SplittableRandom rnd;
  private final Map<String, String> lastSeen = new HashMap<>();
  private int process;

  public Client(int lane, Kv kv, Shared shared, long seed) {
    this.lane = lane;
    this.kv = kv;
    this.shared = shared;
    this.rnd = new SplittableRandom(seed);
    this.process = lane;
  }

  @Override
  public void run() {
    while (!shared.stop().get()) {
      int dice = rnd.nextInt(100);
      String key = "k" + rnd.nextInt(shared.keys());
      if (dice < 40) {
        read(key);
      } else if (dice < 65) {
        write(key);
      } else if (dice < 85 && lastSeen.get(key) != null) {
        cas(key, lastSeen.get(key));
      } else {
        add();
      }
      think();
    }
  }

  private void think() {
    if (shared.thinkMillis() > 0) {
      try {
        Thread.sleep(rnd.nextLong(2 * shared.thinkMillis() + 1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        shared.stop().set(true);
      }
    }
  }

  /** A read changes nothing, so a failed one is simply FAIL: the process carries on. */
  private void read(String key) {
    long invoke = System.nanoTime();
    try {
      String value = kv.read(shared.prefix() + key);
      long done = System.nanoTime();
      record(Op.read(process, key, value, invoke, done), done, "register");
      lastSeen.put(key, value);
    } catch (RuntimeException e) {
      long done = System.nanoTime();
      record(new Op(process, key, Op.Kind.READ, null, null, invoke, done, Outcome.FAIL), done,
          "register");
      shared.count(e);
      kv.resetBackoff();
      refused(e);
    }
  }

  private void write(String key) {
    String value = "v" + shared.values().incrementAndGet();
    long invoke = System.nanoTime();
    Outcome outcome;
    try {
      kv.write(shared.prefix() + key, value);
      outcome = Outcome.OK;
      lastSeen.put(key, value);
    } catch (RuntimeException e) {
      outcome = failed(e);
    }
    long done = System.nanoTime();
    record(Op.write(process, key, value, invoke, done, outcome), done, "register");
    crashIfInfo(outcome);
  }

  private void cas(String key, String expected) {
    String value = "v" + shared.values().incrementAndGet();
    long invoke = System.nanoTime();
    Outcome outcome;
    try {
      // succeeded=false: the compare failed, so the put certainly did not apply
      outcome = kv.cas(shared.prefix() + key, expected, value) ? Outcome.OK : Outcome.FAIL;
      if (outcome == Outcome.OK) {
        lastSeen.put(key, value);
      }
    } catch (RuntimeException e) {
      outcome = failed(e);
    }
    long done = System.nanoTime();
    record(Op.cas(process, key, expected, value, invoke, done, outcome), done, "register");
    crashIfInfo(outcome);
  }

  /** Adds a unique element to the set: acknowledged on OK, uncertain on INFO. */
  private void add() {
    String element = "set/" + shared.values().incrementAndGet();
    long invoke = System.nanoTime();
    Outcome outcome;
    try {
      kv.write(shared.prefix() + element, "1");
      outcome = Outcome.OK;
      shared.acknowledgedAdds().add(element);
    } catch (RuntimeException e) {
      outcome = failed(e);
      if (outcome == Outcome.INFO) {
        shared.uncertainAdds().add(element);
      }
    }
    long done = System.nanoTime();
    record(Op.write(process, element, "1", invoke, done, outcome), done, "set");
    crashIfInfo(outcome);
  }

  private Outcome failed(RuntimeException e) {
    kv.resetBackoff();
    shared.count(e);
    refused(e);
    return kv.outcomeOfWriteError(e);
  }

  /**
   * A lane whose member is down (killed, or not a member at the moment) is refused at once;
   * without a pause it would fill the history with thousands of failed ops a second.
   */
  private void refused(RuntimeException e) {
    if (e instanceof StatusRuntimeException s && Kv.neverConnected(s)) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        shared.stop().set(true);
      }
    }
  }

  private void record(Op op, long seen, String workload) {
    shared.history().add(lane, op, seen, workload);
  }

  /** §Jepsen: after an INFO the process may still have an op in flight; continue as a new one. */
  private void crashIfInfo(Outcome outcome) {
    if (outcome == Outcome.INFO) {
      process = shared.history().nextProcess(process);
    }
  }
}
