package raft.kv.cluster;

import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import raft.kv.client.ClientTls;
import raft.kv.client.Clients;

/**
 * The certificates of a cluster started with {@code --tls}, in {@code dir/tls} as
 * scripts/tls-certs makes them: a throwaway CA ({@code ca.crt}), one certificate per node
 * ({@code nK.crt}, {@code nK.key}: server and peer client alike, for 127.0.0.1) and one for
 * clients ({@code client.crt}, {@code client.key}). Certificates for all five nodes are made at
 * start, so that {@code add n4} later finds its own. The launcher's own calls (status, add,
 * the view...) are clients like etcdctl and present {@code client.crt}.
 */
final class ClusterTls {
  /** How long scripts/tls-certs may take (openssl; apt-get install the first time). */
  private static final long CERTS_TIMEOUT_SECONDS = 300;

  private final ClusterLayout layout;

  ClusterTls(ClusterLayout layout) {
    this.layout = layout;
  }

  Path dir() {
    return layout.dir().resolve("tls");
  }

  Path ca() {
    return dir().resolve("ca.crt");
  }

  Path clientCert() {
    return dir().resolve("client.crt");
  }

  Path clientKey() {
    return dir().resolve("client.key");
  }

  Path nodeCert(int k) {
    return dir().resolve(ClusterLayout.name(k) + ".crt");
  }

  Path nodeKey(int k) {
    return dir().resolve(ClusterLayout.name(k) + ".key");
  }

  /** What the launcher and the bench present: the CA to trust and the client certificate. */
  ClientTls clientTls() {
    return layout.tls() ? new ClientTls(ca(), clientCert(), clientKey(), false) : ClientTls.NONE;
  }

  /** A channel to nK's client port, with TLS when the cluster has it. */
  ManagedChannel dial(int k) {
    return Clients.dial(layout.clientEndpoint(k), clientTls());
  }

  /**
   * Node k's TLS flags (etcd's names): its certificate on the client port and on the peer port
   * (as server, and as client of the other peers), each side trusting only the cluster's CA and
   * asking the other side for a certificate. None for a plain cluster.
   */
  List<String> serverFlags(int k) {
    if (!layout.tls()) {
      return List.of();
    }
    String cert = nodeCert(k).toString();
    String key = nodeKey(k).toString();
    String ca = ca().toString();
    return List.of("--cert-file", cert, "--key-file", key, "--trusted-ca-file", ca,
        "--client-cert-auth", "--peer-cert-file", cert, "--peer-key-file", key,
        "--peer-trusted-ca-file", ca, "--peer-client-cert-auth");
  }

  /** etcdctl's (and scripts/raftkv's) flags for this cluster: "" for a plain one. */
  String clientFlags() {
    if (!layout.tls()) {
      return "";
    }
    return " --cacert=" + shellWord(ca()) + " --cert=" + shellWord(clientCert()) + " --key="
        + shellWord(clientKey());
  }

  /** A path as one shell word: as is when it is plain, else in single quotes. */
  static String shellWord(Path p) {
    String s = p.toString();
    if (s.matches("[A-Za-z0-9_./:+,=@%-]+")) {
      return s;
    }
    return "'" + s.replace("'", "'\\''") + "'";
  }

  /**
   * Makes the CA and the certificates of all five nodes with scripts/tls-certs, keeping any
   * that exist (so a restart, or certificates put there beforehand, are left alone).
   */
  void makeCertificates(Path jar) throws IOException, InterruptedException {
    Path script = script(jar);
    List<String> cmd = new ArrayList<>(List.of(script.toString(), dir().toString(), "--nodes",
        Integer.toString(ClusterLayout.MAX_NODES)));
    // Its output goes to a file, not a pipe: a chatty apt-get cannot stall it, and the wait
    // below stays bounded.
    Path log = Files.createTempFile("tls-certs", ".log");
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      if (!p.waitFor(CERTS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new Clients.Failure(script + " did not finish in " + CERTS_TIMEOUT_SECONDS + " s");
      }
      if (p.exitValue() != 0 || !Files.isRegularFile(ca()) || !Files.isRegularFile(clientKey())) {
        throw new Clients.Failure(script + " failed (exit " + p.exitValue() + "): "
            + Files.readString(log, StandardCharsets.UTF_8).trim());
      }
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /**
   * scripts/tls-certs of the repository we run from: raftkv.root (set by scripts/cluster), or
   * else the checkout the jar was built in (raft-kv/target/raftkv.jar).
   */
  static Path script(Path jar) {
    List<Path> tried = new ArrayList<>();
    String root = System.getProperty("raftkv.root");
    if (root != null) {
      tried.add(Path.of(root, "scripts", "tls-certs"));
    }
    Path up = jar.toAbsolutePath().getParent();
    for (int i = 0; i < 2 && up != null; i++) {
      up = up.getParent();
    }
    if (up != null) {
      tried.add(up.resolve("scripts").resolve("tls-certs"));
    }
    for (Path p : tried) {
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new Clients.Failure("scripts/tls-certs not found (looked at " + tried + "); run"
        + " scripts/cluster from the repository");
  }
}
