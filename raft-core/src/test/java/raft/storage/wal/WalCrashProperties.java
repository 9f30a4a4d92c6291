package raft.storage.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import raft.pb.Entry;
import raft.pb.HardState;
import raft.pb.SnapshotMetadata;

/**
 * Crash at every write and fsync point of a generated run, optionally tearing a write, then
 * recover: the result must be a state the run actually passed through, no older than the last
 * completed sync.
 *
 * <p>"Passed through" is per record, not per call: an unsynced batch may survive in part, as a
 * prefix of its records (entries, then hard state). That is all Raft needs, because nothing in
 * an unsynced batch was acknowledged.
 */
class WalCrashProperties {

  static final int APPEND = 0;
  static final int HARD_STATE = 1;
  static final int SNAPSHOT = 2;
  static final int RELEASE = 3;

  /** One generated step; a, b, c are interpreted per kind (see {@link Run#step}). */
  record Op(int kind, int a, int b, int c, boolean sync) {}

  /** What the WAL should hold: a naive model of Raft's log with a snapshot. */
  record State(HardState hs, long snapIndex, long snapTerm, List<Entry> entries) {
    static final State EMPTY = new State(HardState.getDefaultInstance(), 0, 0, List.of());

    long lastIndex() {
      return entries.isEmpty() ? snapIndex : entries.get(entries.size() - 1).getIndex();
    }

    long termAt(long i) {
      if (i == snapIndex) {
        return snapTerm;
      }
      return i > snapIndex && i <= lastIndex() ? entries.get((int) (i - snapIndex - 1)).getTerm()
          : -1;
    }

    State append(Entry e) {
      if (e.getIndex() <= snapIndex) {
        return this;
      }
      List<Entry> next = new ArrayList<>(entries.subList(0, (int) (e.getIndex() - snapIndex - 1)));
      next.add(e);
      return new State(hs, snapIndex, snapTerm, List.copyOf(next));
    }

    State snapshot(long index, long term) {
      if (index <= snapIndex) {
        return this;
      }
      List<Entry> rest = termAt(index) == term
          ? entries.subList((int) (index - snapIndex), entries.size()) : List.of();
      return new State(hs, index, term, List.copyOf(rest));
    }

    State hardState(HardState h) {
      return new State(h, snapIndex, snapTerm, entries);
    }
  }

  @Provide
  Arbitrary<List<Op>> runs() {
    Arbitrary<Op> op = Combinators.combine(
        Arbitraries.frequency(
            net.jqwik.api.Tuple.of(6, APPEND), net.jqwik.api.Tuple.of(2, HARD_STATE),
            net.jqwik.api.Tuple.of(1, SNAPSHOT), net.jqwik.api.Tuple.of(1, RELEASE)),
        Arbitraries.integers().between(0, 6), Arbitraries.integers().between(0, 5),
        Arbitraries.integers().between(0, 3), Arbitraries.of(true, false))
        .as(Op::new);
    return op.list().ofMinSize(1).ofMaxSize(30);
  }

  @Property(tries = 10000)
  @Label("after a crash at any write or fsync point, recovery yields a state the run passed "
      + "through, including everything synced")
  void recoversADurableState(@ForAll("runs") List<Op> ops,
      @ForAll @IntRange(min = 1, max = 120) int crashCall,
      @ForAll @IntRange(min = 0, max = 1000) int keepSeed,
      @ForAll @IntRange(min = 0, max = 1000) int tornSeed,
      @ForAll @IntRange(min = 160, max = 1200) int segmentBytes,
      @ForAll @IntRange(min = 0, max = 40) int failingForce,
      @ForAll @IntRange(min = 0, max = 4) int recoveryCrashCall) throws IOException {
    FaultyFiles files = new FaultyFiles();
    List<String> log = new ArrayList<>();
    Wal.Options options = new Wal.Options(segmentBytes, log::add);
    Run run = new Run(files, options);
    files.crashAt(crashCall);
    // fsyncgate: a failed force loses this file's unforced writes; the WAL must stop there.
    files.failForce(failingForce % 4 == 0 ? failingForce / 4 + 1 : -1);
    run.execute(ops);
    files.failForce(-1);
    crash(files, keepSeed, tornSeed);

    boolean crashed = run.crashed;
    if (recoveryCrashCall > 0) {
      // Power fails again while recovery repairs the tail or opens a segment.
      files.crashAt(files.calls() + recoveryCrashCall);
      try {
        Wal.open(files, options);
      } catch (FaultyFiles.Crash again) {
        Statistics.label("recovery crashed").collect(true);
      }
      crash(files, tornSeed, keepSeed);
    }
    Wal w = Wal.open(files, options);
    Statistics.label("crash").collect(run.forceFailed ? "after a failed fsync"
        : crashed ? "mid-run" : "after the run");
    Statistics.label("repair").collect(log.isEmpty() ? "none" : log.get(0).contains("header")
        ? "torn header" : "torn tail");
    Statistics.label("segments").collect(w.segmentFiles().size() > 2 ? ">2" : "<=2");
    State got = recoveredState(w.recovered());
    List<State> allowed = run.states.subList(run.durable, run.states.size());
    assertTrue(allowed.contains(got), () -> "recovered " + got + "\nnot among the states from "
        + "the last sync on (" + run.durable + " of " + run.states.size() + "): " + allowed
        + "\nlog: " + log);

    // The recovered WAL takes new writes, and they survive another reopen.
    Entry next = entry(got.lastIndex() + 1, 99);
    w.save(null, List.of(next), true);
    files.crash(0, 0);
    assertEquals(got.append(next), recoveredState(Wal.open(files, options).recovered()));
  }

  static void crash(FaultyFiles files, int keepSeed, int tornSeed) {
    int keep = keepSeed % (files.pendingOps() + 1);
    int torn = tornSeed % (files.pendingWriteBytes(keep) + 1);
    files.crash(keep, torn);
  }

  static State recoveredState(Wal.Recovered r) {
    return new State(r.hardState(), r.snapshot().getIndex(), r.snapshot().getTerm(),
        r.entries());
  }

  static Entry entry(long index, long term) {
    return Entry.newBuilder().setIndex(index).setTerm(term)
        .setData(ByteString.copyFromUtf8("e" + index + "t" + term)).build();
  }

  /** Drives the WAL and the model side by side until the armed crash fires. */
  static final class Run {
    final FaultyFiles files;
    final Wal.Options options;
    /** Every state the records written could leave behind, in order. */
    final List<State> states = new ArrayList<>(List.of(State.EMPTY));
    /** Index in {@link #states} of the state after the last completed sync. */
    int durable;
    long term = 1;
    boolean crashed;
    boolean forceFailed;

    Run(FaultyFiles files, Wal.Options options) {
      this.files = files;
      this.options = options;
    }

    State model() {
      return states.get(states.size() - 1);
    }

    void execute(List<Op> ops) throws IOException {
      try {
        Wal w = Wal.open(files, options);
        for (Op op : ops) {
          step(w, op);
        }
      } catch (FaultyFiles.Crash crash) {
        crashed = true; // power lost somewhere inside the last step
      } catch (IOException failedForce) {
        forceFailed = true; // the step's sync did not complete: nothing new is durable
      }
    }

    void step(Wal w, Op op) throws IOException {
      switch (op.kind()) {
        case APPEND -> append(w, op);
        case HARD_STATE -> {
          HardState hs = hardState(op);
          states.add(model().hardState(hs));
          w.save(hs, List.of(), op.sync());
          afterSave(op.sync());
        }
        case SNAPSHOT -> snapshot(w, op);
        default -> w.releaseBefore(model().snapIndex());
      }
    }

    /** a: how far back from the end the batch starts; b: how many entries; c: term bump. */
    void append(Wal w, Op op) throws IOException {
      State m = model();
      long start = Math.max(1, m.lastIndex() + 1 - op.a());
      term += op.c() == 3 ? 1 : 0;
      List<Entry> batch = new ArrayList<>();
      for (long i = start; i < start + op.b() + 1; i++) {
        batch.add(entry(i, term));
      }
      HardState hs = op.c() >= 2 ? hardState(op) : null;
      for (Entry e : batch) {
        states.add(model().append(e));
      }
      if (hs != null) {
        states.add(model().hardState(hs));
      }
      w.save(hs, batch, op.sync());
      afterSave(op.sync());
    }

    HardState hardState(Op op) {
      return HardState.newBuilder().setTerm(term).setVote(op.a() % 4)
          .setCommit(Math.min(model().lastIndex(), op.b())).build();
    }

    /** a: how far back from the end; b odd: a term that does not match the log. */
    void snapshot(Wal w, Op op) throws IOException {
      State m = model();
      long index = Math.max(1, m.lastIndex() - op.a() + (op.c() == 3 ? 2 : 0));
      long t = op.b() % 2 == 1 || m.termAt(index) < 0 ? term + 7 : m.termAt(index);
      states.add(m.snapshot(index, t));
      w.saveSnapshotMarker(SnapshotMetadata.newBuilder().setIndex(index).setTerm(t).build());
      afterSave(true);
    }

    void afterSave(boolean sync) {
      if (sync) {
        durable = states.size() - 1;
      }
    }
  }
}
