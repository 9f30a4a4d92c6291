package raft.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where the disk benchmarks put their files: under {@code -Draft.bench.dir} (scripts/bench-wal
 * passes {@code raft-tests/target/bench-wal}, i.e. the disk the repo is on), else the system
 * temp dir. Not thread-safe; each benchmark trial makes and deletes its own directory.
 */
final class BenchDirs {
  static final String PROPERTY = "raft.bench.dir";

  private BenchDirs() {}

  /** A fresh, empty directory for one trial. */
  static Path create(String prefix) throws IOException {
    String base = System.getProperty(PROPERTY, System.getProperty("java.io.tmpdir"));
    Path parent = Paths.get(base);
    Files.createDirectories(parent);
    return Files.createTempDirectory(parent, prefix);
  }

  /** Deletes {@code dir} and everything in it; quietly does nothing if it is already gone. */
  static void delete(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
