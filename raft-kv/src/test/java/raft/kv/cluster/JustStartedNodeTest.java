package raft.kv.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node counts as running from the moment start returns, although its command line reads
 * empty for a few milliseconds while setsid execs the JVM: restart once polled in that window,
 * took the node for one that had exited, and failed ("n1 exited while starting"). The "node"
 * is setsid execing a shell whose command line looks like a member's, as start launches one.
 */
class JustStartedNodeTest {
  @TempDir Path dir;

  @Test
  void aNodeIsRunningRightAfterItsStartEvenWhileItExecs() throws Exception {
    ClusterLayout l = new ClusterLayout(3, 0, dir);
    Files.createDirectories(l.nodeDir(1));
    NodeProcesses procs = new NodeProcesses(l);
    for (int i = 0; i < 30; i++) {
      // sh -c CMD NAME ARGS...: the arguments stay in the command line, as a member's would.
      // SIGTERM ends the sleep too, so that no orphan is left.
      Process p = new ProcessBuilder("/usr/bin/setsid", "sh", "-c",
          "sleep 5 & trap 'kill $!; exit 143' TERM; wait", "java",
          "--name", "n1", "--data-dir", l.nodeDir(1).toString(), "--x").start();
      try {
        Files.writeString(l.pidFile(1), p.pid() + "\n");
        // As start's wait polls, only faster: through the whole exec.
        for (long end = System.nanoTime() + 50_000_000; System.nanoTime() < end; ) {
          assertEquals(NodeProcesses.State.UP, procs.state(1), "start " + i);
        }
      } finally {
        p.destroy();
        assertTrue(p.waitFor(5, TimeUnit.SECONDS));
      }
    }
  }
}
