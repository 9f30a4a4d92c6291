package raft.kv.cluster;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * Where a local cluster lives: DESIGN.md's contract. Node k (n1..n5) serves clients on 2379,
 * 22379, 32379, 42379, 52379, peers on 12380, 22380, ... (etcd's Procfile ports) and HTTP
 * (/metrics, /health, /version) on its client port + 2, each shifted by the port offset; its
 * data is {@code dir/nK}, its log {@code dir/nK.log}, its pid {@code dir/nK.pid}. {@code
 * dir/cluster.properties} records the node count, the offset and whether TLS is on at start,
 * so the other verbs address the same cluster, the same way, and clean only deletes cluster
 * dirs. With {@code tls}, every client and peer URL is https and the certificates live in
 * {@code dir/tls} ({@link ClusterTls}); the metrics port stays plain HTTP, as etcd's may.
 */
public record ClusterLayout(int nodes, int portOffset, Path dir, boolean tls) {
  public static final int MAX_NODES = 5;
  static final String MARKER = "cluster.properties";

  /** A plain (no TLS) cluster. */
  public ClusterLayout(int nodes, int portOffset, Path dir) {
    this(nodes, portOffset, dir, false);
  }

  public ClusterLayout {
    if (nodes < 1 || nodes > MAX_NODES) {
      throw new IllegalArgumentException("--nodes must be from 1 to 5, not " + nodes);
    }
    int highest = baseMetricsPort(nodes) + portOffset;
    if (portOffset < 0 || highest > 65535) {
      throw new IllegalArgumentException("--port-offset " + portOffset + " puts n" + nodes
          + "'s metrics port at " + highest + "; use 0.." + (65535 - baseMetricsPort(nodes)));
    }
    dir = dir.toAbsolutePath().normalize();
  }

  static int baseClientPort(int k) {
    return k == 1 ? 2379 : k * 10_000 + 2379;
  }

  static int basePeerPort(int k) {
    return k == 1 ? 12380 : k * 10_000 + 2380;
  }

  /** etcd's --listen-metrics-urls port: the client port + 2 (2381, 22381, ...). */
  static int baseMetricsPort(int k) {
    return baseClientPort(k) + 2;
  }

  /** Where nK serves /metrics, /health and /version over HTTP. */
  public int metricsPort(int k) {
    return baseMetricsPort(k) + portOffset;
  }

  public String metricsEndpoint(int k) {
    return "127.0.0.1:" + metricsPort(k);
  }

  public int clientPort(int k) {
    return baseClientPort(k) + portOffset;
  }

  public int peerPort(int k) {
    return basePeerPort(k) + portOffset;
  }

  public static String name(int k) {
    return "n" + k;
  }

  /**
   * n1 -> 1, for any of n1..n5 (a cluster started with 3 nodes can add n4 and n5); anything
   * else is one clear error. Whether nK is a member is {@link Members}' question.
   */
  public int index(String name) {
    if (name.matches("n[1-9]")) {
      int k = name.charAt(1) - '0';
      if (k <= MAX_NODES) {
        checkPorts(k);
        return k;
      }
    }
    throw new IllegalArgumentException("unknown node " + name + " (nodes are n1..n"
        + MAX_NODES + ")");
  }

  private void checkPorts(int k) {
    if (metricsPort(k) > 65535) {
      throw new IllegalArgumentException("--port-offset " + portOffset + " puts " + name(k)
          + "'s metrics port at " + metricsPort(k) + ", past 65535");
    }
  }

  /** "https" when the cluster runs with TLS, else "http". */
  public String scheme() {
    return tls ? "https" : "http";
  }

  /** nK's peer URL, as MemberAdd and --initial-cluster name it. */
  public String peerUrl(int k) {
    return scheme() + "://127.0.0.1:" + peerPort(k);
  }

  /**
   * Which node a member is, by its peer URL (the one thing the launcher chose for it: a member
   * added but not yet started has no name, and ids are the cluster's); empty if none matches.
   * The host and port decide, not the scheme: a member restored from a backup may list its
   * peer URL as http:// while it listens with TLS.
   */
  public java.util.OptionalInt nodeOf(raft.kv.api.etcdserverpb.Member m) {
    for (int k = 1; k <= MAX_NODES; k++) {
      String hostPort = "://127.0.0.1:" + peerPort(k);
      if (metricsPort(k) <= 65535
          && m.getPeerURLsList().stream().anyMatch(u -> u.endsWith(hostPort))) {
        return java.util.OptionalInt.of(k);
      }
    }
    return java.util.OptionalInt.empty();
  }

  /** host:port, or https://host:port with TLS (as etcdctl's --endpoints takes it). */
  public String clientEndpoint(int k) {
    return (tls ? "https://" : "") + "127.0.0.1:" + clientPort(k);
  }

  /** Comma-separated client endpoints, for --endpoints. */
  public String endpoints() {
    List<String> eps = new ArrayList<>();
    for (int k = 1; k <= nodes; k++) {
      eps.add(clientEndpoint(k));
    }
    return String.join(",", eps);
  }

  /** The client endpoints of the given nodes, for --endpoints. */
  public String endpoints(List<Integer> ks) {
    List<String> eps = new ArrayList<>();
    for (int k : ks) {
      eps.add(clientEndpoint(k));
    }
    return String.join(",", eps);
  }

  public String initialCluster() {
    List<String> members = new ArrayList<>();
    for (int k = 1; k <= nodes; k++) {
      members.add(name(k) + "=" + peerUrl(k));
    }
    return String.join(",", members);
  }

  /**
   * Every possible node's client address, for member list: n1=http://127.0.0.1:2379,... (all
   * five, so that a member added later has its client URL known to those started before it).
   */
  public String memberClientUrls() {
    List<String> members = new ArrayList<>();
    for (int k = 1; k <= MAX_NODES; k++) {
      if (metricsPort(k) <= 65535) {
        members.add(name(k) + "=" + scheme() + "://127.0.0.1:" + clientPort(k));
      }
    }
    return String.join(",", members);
  }

  public Path nodeDir(int k) {
    return dir.resolve(name(k));
  }

  public Path logFile(int k) {
    return dir.resolve(name(k) + ".log");
  }

  public Path pidFile(int k) {
    return dir.resolve(name(k) + ".pid");
  }

  void save() throws IOException {
    Files.createDirectories(dir);
    Properties p = new Properties();
    p.setProperty("nodes", Integer.toString(nodes));
    p.setProperty("port-offset", Integer.toString(portOffset));
    p.setProperty("tls", Boolean.toString(tls));
    try (Writer w = Files.newBufferedWriter(dir.resolve(MARKER))) {
      p.store(w, "written by scripts/cluster start; read by the other verbs");
    }
  }

  /** The cluster recorded in {@code dir}, if {@code start} ever ran there. */
  static Optional<ClusterLayout> load(Path dir) throws IOException {
    Path marker = dir.resolve(MARKER);
    if (!Files.isRegularFile(marker)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(marker)) {
      p.load(r);
    }
    return Optional.of(new ClusterLayout(Integer.parseInt(p.getProperty("nodes", "3")),
        Integer.parseInt(p.getProperty("port-offset", "0")), dir,
        Boolean.parseBoolean(p.getProperty("tls", "false"))));
  }
}
