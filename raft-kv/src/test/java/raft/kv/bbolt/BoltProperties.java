package raft.kv.bbolt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/** Whatever sorted buckets, keys and values go in through BoltWriter come back from BoltReader. */
class BoltProperties {

  @Property(tries = 60, edgeCases = EdgeCasesMode.NONE)
  void writeThenReadGivesBackTheSame(@ForAll("databases") Map<String,
      TreeMap<byte[], byte[]>> db) throws IOException {
    // What the tries cover: buckets that need branch pages, values that need overflow pages.
    Statistics.label("a bucket over 300 entries").collect(
        db.values().stream().anyMatch(b -> b.size() > 300));
    Statistics.label("a value over a page").collect(db.values().stream()
        .anyMatch(b -> b.values().stream().anyMatch(v -> v.length > Layout.PAGE_SIZE)));
    Path file = Files.createTempFile("bolt-property", ".db");
    try {
      BoltRoundTripTest.write(file, db);
      BoltRoundTripTest.assertSame(db, BoltRoundTripTest.read(file));
    } finally {
      Files.delete(file);
    }
  }

  @Provide
  Arbitrary<Map<String, TreeMap<byte[], byte[]>>> databases() {
    Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'f').ofMinLength(1)
        .ofMaxLength(4);
    return Combinators.combine(names.set().ofMaxSize(6), buckets().list().ofSize(6))
        .as((nameSet, contents) -> {
          Map<String, TreeMap<byte[], byte[]>> db = new LinkedHashMap<>();
          List<String> sorted = List.copyOf(new TreeSet<>(nameSet)); // ASCII: UTF-8 order too
          for (int i = 0; i < sorted.size(); i++) {
            db.put(sorted.get(i), contents.get(i));
          }
          return db;
        });
  }

  /** Mostly small entries (inline buckets, full leaves), some keys and values over a page. */
  private Arbitrary<TreeMap<byte[], byte[]>> buckets() {
    Arbitrary<byte[]> keys = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(20, Arbitraries.bytes().array(byte[].class).ofMinSize(1)
            .ofMaxSize(12)),
        net.jqwik.api.Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMinSize(1)
            .ofMaxSize(6000)));
    Arbitrary<byte[]> values = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(20, Arbitraries.bytes().array(byte[].class).ofMaxSize(64)),
        net.jqwik.api.Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(20_000)));
    Arbitrary<Integer> sizes = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0, 10)),
        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 1500)));
    return sizes.flatMap(n -> Combinators.combine(keys, values).as((k, v) -> new byte[][] {k, v})
        .list().ofSize(n).map(entries -> {
          TreeMap<byte[], byte[]> bucket = BoltRoundTripTest.entries();
          for (byte[][] e : entries) {
            bucket.put(e[0], e[1]);
          }
          return bucket;
        }));
  }
}
