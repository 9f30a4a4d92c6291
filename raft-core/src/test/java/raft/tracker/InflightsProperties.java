package raft.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayDeque;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** Model-vs-naive: the ring buffer behaves like a plain FIFO queue of (index, bytes). */
class InflightsProperties {

  /** op >= 0: send an append of op bytes; op < 0: acknowledge up to (last sent + op + 1). */
  @Provide
  Arbitrary<List<Integer>> ops() {
    return Arbitraries.integers().between(-4, 60).list().ofMaxSize(60);
  }

  @Property(tries = 500)
  @Label("Inflights agrees with a naive FIFO model on count and fullness")
  void matchesQueueModel(@ForAll @IntRange(min = 1, max = 6) int capacity,
      @ForAll @LongRange(min = 0, max = 150) long maxBytes, @ForAll("ops") List<Integer> ops) {
    Inflights in = new Inflights(capacity, maxBytes);
    ArrayDeque<long[]> model = new ArrayDeque<>(); // {index, bytes}
    long lastSent = 0;
    for (int op : ops) {
      boolean modelFull = model.size() == capacity
          || (maxBytes != 0 && model.stream().mapToLong(x -> x[1]).sum() >= maxBytes);
      assertEquals(modelFull, in.full(), "full() before " + op);
      if (op >= 0) {
        if (modelFull) {
          final long next = lastSent + 1;
          assertThrows(IllegalStateException.class, () -> in.add(next, op));
          continue;
        }
        lastSent++;
        in.add(lastSent, op);
        model.addLast(new long[] {lastSent, op});
      } else {
        long to = lastSent + op + 1;
        in.freeLE(to);
        while (!model.isEmpty() && model.peekFirst()[0] <= to) {
          model.removeFirst();
        }
      }
      assertEquals(model.size(), in.count(), "count() after " + op);
    }
  }
}
