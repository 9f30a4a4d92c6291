package raft.jepsen;

import java.nio.file.Files;
import java.nio.file.Path;
import raft.jepsen.db.RaftKvDb;

/** Where the jepsen tests keep their clusters and reports (under raft-tests/target). */
final class TestClusters {
  static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  static final Path JAR = REPO.resolve("raft-kv/target/raftkv.jar");
  static final Path TARGET = REPO.resolve("raft-tests/target/jepsen");

  private TestClusters() {}

  /** A fresh 3-node cluster of ours on its own data dir and port offset. */
  static RaftKvDb start(String name, int portOffset) throws Exception {
    requireJar();
    return new RaftKvDb(JAR, TARGET.resolve("clusters/" + name), 3, portOffset).start();
  }

  private static void requireJar() {
    if (!Files.exists(JAR)) {
      throw new AssertionError(JAR + " is missing: the raft-kv module builds it in the package"
          + " phase (run ./mvnw verify, not test)");
    }
  }

  /** A fresh 3-node cluster of ours with endpoints for five: room for the member nemesis. */
  static RaftKvDb startWithRoom(String name, int portOffset) throws Exception {
    requireJar();
    return new RaftKvDb(JAR, TARGET.resolve("clusters/" + name), 3, 5, portOffset).start();
  }

  static Path reports() {
    return TARGET.resolve("reports");
  }
}
