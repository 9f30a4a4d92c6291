package raft.process;

import java.util.List;

/** What the process tests need from the machine, checked with a clear message. */
final class Preconditions {
  private Preconditions() {}

  static void requireEtcdctl() throws Exception {
    LocalCluster.Result r;
    try {
      r = LocalCluster.run(List.of("etcdctl", "version"), null, 10);
    } catch (java.io.IOException notFound) {
      throw new AssertionError("etcdctl is not installed: run scripts/install-etcd "
          + "(scripts/test does it for you)", notFound);
    }
    if (!r.out().contains("etcdctl version: 3.")) {
      throw new AssertionError("unexpected etcdctl: " + r);
    }
    if (!java.nio.file.Files.exists(LocalCluster.JAR)) {
      throw new AssertionError(LocalCluster.JAR + " is missing: the raft-kv module builds it "
          + "in the package phase (run ./mvnw verify, not test)");
    }
  }
}
