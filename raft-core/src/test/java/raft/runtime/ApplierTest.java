package raft.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import raft.pb.Entry;

class ApplierTest {

  @Test
  void aSnapshotIsDueAfterSnapshotCountEntriesOrSnapshotBytesWhicheverComesFirst()
      throws Exception {
    LinkedBlockingQueue<Long> snapshots = new LinkedBlockingQueue<>();
    // 1,000 entries or 10 KiB: with 1 KiB entries, the bytes come first.
    Applier applier = new Applier(new RecordingStateMachine(),
        raft.pb.ConfState.getDefaultInstance(), 1000, 10 * 1024,
        (index, term) -> snapshots.add(index),
        e -> snapshots.add(-1L));
    Thread t = new Thread(applier, "applier-test");
    t.start();
    try {
      for (long from = 1; from <= 25; from += 5) { // checked after each batch, as the count
        applier.enqueueBatch(null, entries(from, from + 4, 1024));
      }
      assertEquals(10, snapshots.poll(10, TimeUnit.SECONDS), "after 10 KiB");
      assertEquals(20, snapshots.poll(10, TimeUnit.SECONDS), "10 KiB later");
      applier.enqueueBatch(null, entries(26, 1020, 1)); // small entries: the count comes first
      assertEquals(1020, snapshots.poll(10, TimeUnit.SECONDS), "1,000 entries after 20");
      assertTrue(snapshots.isEmpty(), snapshots::toString);
    } finally {
      applier.stop();
      t.join(10_000);
    }
  }

  private static List<Entry> entries(long from, long to, int bytes) {
    List<Entry> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(Entry.newBuilder().setIndex(i).setTerm(1)
          .setData(ByteString.copyFromUtf8("x".repeat(bytes))).build());
    }
    return out;
  }
}
