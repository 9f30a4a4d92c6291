package raft.kv.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training member left behind by a launcher that died (its pid in DIR/aot-training.pid) is
 * found and stopped by stop and clean; a pid whose command line is not a training of this
 * cluster is left alone. The "member" is a sleep whose command line looks like one.
 */
class AotTrainingStopTest {
  @TempDir Path dir;

  private Process fakeTraining(Path clusterDir) throws Exception {
    // sh -c CMD NAME ARGS...: the arguments only show in the command line, as a member's would.
    // SIGTERM ends the sleep too, so that no orphan is left.
    return new ProcessBuilder("sh", "-c", "sleep 20 & trap 'kill $!; exit 143' TERM; wait",
        "java", "-XX:AOTCacheOutput=x.aot",
        "-jar", "raftkv.jar", "server", "--data-dir",
        clusterDir.resolve("aot-training123").resolve("data").toString()).start();
  }

  private static void end(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(5, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
  }

  @Test
  void stopEndsALeftBehindTrainingMember() throws Exception {
    ClusterLayout l = new ClusterLayout(3, 0, dir);
    Process p = fakeTraining(dir);
    try {
      NodeProcesses procs = new NodeProcesses(l);
      assertEquals(Optional.empty(), procs.training(), "no pid file yet");
      Files.writeString(dir.resolve(MemberAotTraining.PID_FILE), p.pid() + "\n");
      assertEquals(p.pid(), procs.training().orElseThrow().pid());
      StringWriter out = new StringWriter();
      ClusterCommand.stopAll(l, new PrintWriter(out, true));
      assertTrue(p.waitFor(10, TimeUnit.SECONDS), "stopped");
      assertTrue(out.toString().contains("training member (pid " + p.pid() + ")"), out.toString());
      assertFalse(Files.exists(dir.resolve(MemberAotTraining.PID_FILE)));
    } finally {
      end(p);
    }
  }

  @Test
  void anotherClustersTrainingIsNotOurs() throws Exception {
    ClusterLayout l = new ClusterLayout(3, 0, dir.resolve("a"));
    Files.createDirectories(l.dir());
    Process p = fakeTraining(dir.resolve("b"));
    try {
      Files.writeString(l.dir().resolve(MemberAotTraining.PID_FILE), p.pid() + "\n");
      assertEquals(Optional.empty(), new NodeProcesses(l).training());
      assertTrue(p.isAlive());
    } finally {
      end(p);
    }
    assertFalse(MemberAotTraining.isTraining("java -jar raftkv.jar server --data-dir "
        + dir.resolve("aot-training1"), dir), "no cache being made: not a training");
    assertTrue(MemberAotTraining.isTraining(String.join(" ", List.of("java",
        "-XX:AOTCacheOutput=/j/x.aot", "-jar", "raftkv.jar", "server", "--data-dir",
        dir.resolve("aot-training1/data").toString())), dir));
  }
}
