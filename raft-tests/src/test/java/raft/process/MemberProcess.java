package raft.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One extra member process beside a {@link LocalCluster} (a member added at runtime, as
 * {@code etcdctl member add} tells to start it), or a real etcd: started with its output in a
 * log file, stopped by its own process handle.
 */
final class MemberProcess implements AutoCloseable {
  final Path log;
  private final Process process;

  private MemberProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** {@code raftkv server} with these flags; its log is {@code log}. */
  static MemberProcess raftkv(Path log, List<String> flags) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("java", "-Xmx256m", "-XX:+UseSerialGC", "-jar",
        LocalCluster.JAR.toString(), "server"));
    cmd.addAll(flags);
    return start(cmd, log);
  }

  /** Real etcd 3.4, one member on loopback, for comparing answers. */
  static MemberProcess etcd(Path dir, int clientPort, int peerPort) throws IOException {
    return etcd(dir, clientPort, peerPort, List.of());
  }

  /** As above, with more etcd flags (e.g. --listen-metrics-urls). */
  static MemberProcess etcd(Path dir, int clientPort, int peerPort, List<String> flags)
      throws IOException {
    String client = "http://127.0.0.1:" + clientPort;
    String peer = "http://127.0.0.1:" + peerPort;
    List<String> cmd = new ArrayList<>(List.of("etcd", "--name", "e1", "--data-dir",
        dir.resolve("etcd").toString(),
        "--listen-client-urls", client, "--advertise-client-urls", client,
        "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
        "--initial-cluster", "e1=" + peer));
    cmd.addAll(flags);
    return start(cmd, dir.resolve("etcd.log"));
  }

  /** Any command line (etcd with TLS flags, say), its output in {@code log}. */
  static MemberProcess command(List<String> cmd, Path log) throws IOException {
    return start(cmd, log);
  }

  private static MemberProcess start(List<String> cmd, Path log) throws IOException {
    Files.createDirectories(log.getParent());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    return new MemberProcess(p, log);
  }

  /** The exit status once the process has ended by itself within {@code seconds}, else -1. */
  int awaitExit(long seconds) throws InterruptedException {
    return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String logText() throws IOException {
    return Files.exists(log) ? Files.readString(log) : "(no log at " + log + ")";
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
