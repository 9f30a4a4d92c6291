package raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * scripts/install-etcd stops the etcd that its package install started, and no other: an etcd
 * that was running before it (here a real one on loopback, port offset 70) keeps running.
 *
 * <p>The script installs only when etcd is missing, so it runs with a PATH that has every
 * command but etcd, and an apt-get that stands in for the package: it "installs" by starting
 * etcd as the package's init script would (user etcd, ETCD_DATA_DIR in its environment, in the
 * background, here on offset ports too). No real package is touched, nothing is downloaded.
 */
class InstallEtcdTest {
  private static final int OFFSET = 70;
  private static final Path DIR = LocalCluster.REPO.resolve("raft-tests/target/install-etcd");

  @Test
  @DisplayName("install-etcd stops the etcd its install started, never one running before it")
  void touchesOnlyWhatItStarted() throws Exception {
    Preconditions.requireEtcdctl();
    assumeTrue("root".equals(System.getProperty("user.name")),
        "needs root, to start an etcd as the package's user etcd");
    assumeTrue(LocalCluster.run(List.of("id", "etcd"), null, 10).exit() == 0,
        "needs the package's user etcd");
    deleteTree(DIR);
    Path bin = Files.createDirectories(DIR.resolve("bin"));
    pathWithoutEtcd(bin);
    Path packagePid = DIR.resolve("package-etcd.pid");
    fakeAptGet(bin.resolve("apt-get"), packagePid);

    Process ours = startEtcd(DIR.resolve("ours"), 2379 + OFFSET, 2380 + OFFSET);
    Optional<ProcessHandle> started = Optional.empty();
    try {
      awaitHealthy(2379 + OFFSET);
      LocalCluster.Result r = LocalCluster.run(List.of("bash",
          LocalCluster.REPO.resolve("scripts/install-etcd").toString()), null, 120,
          Map.of("PATH", bin.toString()));
      assertEquals(0, r.exit(), r.out());
      started = ProcessHandle.of(Long.parseLong(Files.readString(packagePid).trim()));
      assertTrue(ours.isAlive(), "install-etcd stopped an etcd it did not start:\n" + r.out());
      assertTrue(r.out().contains("etcd pid " + ours.pid() + " was running before the install;"
          + " left alone"), r.out());
      awaitHealthy(2379 + OFFSET);
      assertTrue(r.out().contains("stopping etcd pid " + started.map(ProcessHandle::pid)
          .orElse(-1L) + ", which the package install started"), r.out());
      assertTrue(started.get().onExit().get(30, TimeUnit.SECONDS) != null);
    } finally {
      started.ifPresent(ProcessHandle::destroyForcibly);
      ours.destroy();
      if (!ours.waitFor(30, TimeUnit.SECONDS)) {
        ours.destroyForcibly();
      }
    }
  }

  private static Process startEtcd(Path data, int client, int peer) throws IOException {
    String c = "http://127.0.0.1:" + client;
    String p = "http://127.0.0.1:" + peer;
    return new ProcessBuilder("etcd", "--name", "install-etcd-test", "--data-dir",
        data.toString(), "--listen-client-urls", c, "--advertise-client-urls", c,
        "--listen-peer-urls", p, "--initial-advertise-peer-urls", p,
        "--initial-cluster", "install-etcd-test=" + p)
        .redirectErrorStream(true).redirectOutput(DIR.resolve("ours.log").toFile()).start();
  }

  private static void awaitHealthy(int client) throws Exception {
    LocalCluster.Result last = null;
    for (int i = 0; i < 60; i++) {
      last = LocalCluster.run(List.of("etcdctl", "--endpoints=127.0.0.1:" + client,
          "--command-timeout=2s", "endpoint", "health"), null, 10);
      if (last.exit() == 0) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("etcd on " + client + " not healthy: " + last);
  }

  /** Links to every command on the usual PATH except etcd. */
  private static void pathWithoutEtcd(Path bin) throws IOException {
    for (String d : List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin",
        "/sbin", "/bin")) {
      Path dir = Path.of(d);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (var commands = Files.list(dir)) {
        for (Path cmd : (Iterable<Path>) commands::iterator) {
          Path link = bin.resolve(cmd.getFileName().toString());
          if (!cmd.getFileName().toString().equals("etcd") && !Files.exists(link,
              java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(link, cmd);
          }
        }
      }
    }
  }

  /** An apt-get whose install starts etcd as the package would, and records its pid. */
  private static void fakeAptGet(Path file, Path pidFile) throws IOException {
    int client = 22379 + OFFSET;
    int peer = 22380 + OFFSET;
    Path data = DIR.resolve("package");
    Files.deleteIfExists(file);
    Files.writeString(file, String.join("\n",
        "#!/usr/bin/env bash",
        "case \" $* \" in *' install '*) ;; *) exit 0 ;; esac",
        "mkdir -p '" + data + "' && chown etcd '" + data + "'",
        "setpriv --reuid=etcd --regid=etcd --clear-groups env ETCD_DATA_DIR='" + data
            + "/default' /usr/bin/etcd --name package"
            + " --listen-client-urls http://127.0.0.1:" + client
            + " --advertise-client-urls http://127.0.0.1:" + client
            + " --listen-peer-urls http://127.0.0.1:" + peer
            + " --initial-advertise-peer-urls http://127.0.0.1:" + peer
            + " --initial-cluster package=http://127.0.0.1:" + peer
            + " >'" + DIR.resolve("package.log") + "' 2>&1 </dev/null &",
        "echo $! >'" + pidFile + "'",
        "for i in $(seq 200); do", // until setpriv and env have exec'd etcd
        "  [ \"$(cat /proc/$!/comm 2>/dev/null)\" = etcd ] && exit 0; sleep 0.05",
        "done",
        "echo 'fake apt-get: etcd did not start' >&2; exit 1", ""));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static void deleteTree(Path p) throws IOException {
    if (Files.exists(p)) {
      try (var all = Files.walk(p)) {
        for (Path f : (Iterable<Path>) all.sorted(java.util.Comparator.reverseOrder())::iterator) {
          Files.delete(f);
        }
      }
    }
  }
}
