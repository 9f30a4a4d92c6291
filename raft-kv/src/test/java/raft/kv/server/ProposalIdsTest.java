package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proposal ids never repeat on a member, across restarts, whatever its clock says. */
class ProposalIdsTest {
  private static final long MEMBER = 0xBEEF;
  private static final long T = 1_796_000_000_000L; // an afternoon in 2026, in ms

  @TempDir Path dir;

  private static Set<Long> draw(ProposalIds ids, int n) {
    Set<Long> out = new HashSet<>();
    for (int i = 0; i < n; i++) {
      assertTrue(out.add(ids.next()), "an id repeated within one run");
    }
    return out;
  }

  @Test
  @DisplayName("after a restart with the clock stepped back, no id drawn before is drawn again")
  void clockSteppedBack() throws IOException {
    // A run that starts at T and draws ids; the member restarts and its clock reads T again
    // (stepped back by however long the first run lasted). Seeded from the clock alone, as etcd
    // and this member used to be, the second run would draw the very same ids.
    Set<Long> before = draw(ProposalIds.open(dir, MEMBER, T), 10_000);
    Set<Long> after = draw(ProposalIds.open(dir, MEMBER, T), 10_000);
    after.retainAll(before);
    assertEquals(0, after.size(), after.size() + " of 10000 ids drawn again after the restart");
    // A step back by an hour, and one by a year: still none repeats.
    Set<Long> all = new HashSet<>(before);
    for (long back : new long[] {3_600_000L, 365L * 86_400_000L}) {
      for (long id : draw(ProposalIds.open(dir, MEMBER, T - back), 10_000)) {
        assertTrue(all.add(id), "id " + Long.toHexString(id) + " drawn again");
      }
    }
  }

  @Test
  @DisplayName("crossing a block of ids records the next bound before handing out its ids")
  void acrossBlocks() throws IOException {
    ProposalIds first = ProposalIds.open(dir, MEMBER, T);
    long last = 0;
    for (long i = 0; i < ProposalIds.BLOCK + 10; i++) {
      last = first.next();
    }
    long recorded = Long.parseLong(Files.readString(dir.resolve(ProposalIds.FILE)).trim());
    assertTrue((recorded & 0xFFFF_FFFF_FFFFL) >= (last & 0xFFFF_FFFF_FFFFL),
        "recorded " + recorded + " below the last id handed out " + last);
    long next = ProposalIds.open(dir, MEMBER, 0).next(); // a clock at 1970: only the file helps
    assertTrue((next & 0xFFFF_FFFF_FFFFL) > (last & 0xFFFF_FFFF_FFFFL));
    assertEquals(MEMBER, next >>> 48, "the member id is in the top 16 bits");
  }

  @Test
  @DisplayName("ids drawn from many threads at once are distinct")
  void concurrent() throws Exception {
    ProposalIds ids = ProposalIds.open(dir, MEMBER, T);
    Set<Long> seen = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = IntStream.range(0, 4).mapToObj(t -> pool.submit(() -> {
        for (int i = 0; i < 300_000; i++) { // 1.2 M in all: more than one block
          assertTrue(seen.add(ids.next()), "an id drawn twice");
        }
      })).<Future<?>>map(f -> f).toList();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1_200_000, seen.size());
  }

  @Test
  @DisplayName("a damaged record stops the member with a message naming the file")
  void damagedRecord() throws IOException {
    Files.writeString(dir.resolve(ProposalIds.FILE), "garbage\n");
    IOException e = assertThrows(IOException.class, () -> ProposalIds.open(dir, MEMBER, T));
    assertTrue(e.getMessage().contains(ProposalIds.FILE) && e.getMessage().contains("garbage"),
        e.getMessage());
  }
}
