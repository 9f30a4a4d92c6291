package raft.kv.server;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * How one member runs, parsed from etcd-like flags ({@code raftkv server --help}).
 *
 * @param name this member's name, one of {@code initialCluster}'s keys (n1..n5 locally)
 * @param initialCluster every member's name and peer address; a member's id is its position in
 *     name order (n2 before n10) plus one, so n1 is member 1 in a local cluster
 * @param clientAddress where the etcd v3 gRPC API listens
 * @param peerAddress where the Raft peer transport listens
 * @param heartbeatMillis one Raft tick (etcd's --heartbeat-interval)
 * @param electionMillis the base election timeout (etcd's --election-timeout)
 * @param snapshotCount applied entries between two snapshots
 * @param maxRequestBytes the largest client request accepted (etcd's --max-request-bytes)
 * @param autoCompaction how much history the leader keeps (etcd's --auto-compaction-mode and
 *     --auto-compaction-retention)
 * @param quotaBackendBytes the space quota (etcd's --quota-backend-bytes), in estimated heap
 *     bytes of the store: 0 for the default ({@link #spaceQuotaBytes}), negative for none
 * @param clientUrls every member's client address (our own flag, --member-client-urls, no
 *     longer read by MemberList: each member publishes its client URL through the log, as in
 *     etcd). This member's own address is always included.
 * @param join etcd's {@code --initial-cluster-state existing}: this member was added to a
 *     running cluster ({@code member add}) and joins it with an empty log; false ({@code new},
 *     the default) bootstraps a new cluster of the --initial-cluster members. Either way a
 *     data directory that has a log already restarts from it, as in etcd.
 * @param metricsAddresses where HTTP is served: /metrics, /health, /version (etcd's
 *     --listen-metrics-urls); empty for none
 * @param watchProgressInterval how often a watcher created with progress_notify that is synced
 *     and had no events meanwhile gets an empty response at the current revision (etcd 3.5's
 *     --experimental-watch-progress-notify-interval; etcd 3.4 fixes it at 10 minutes)
 * @param clientTls TLS on the client port (an https --listen-client-urls with --cert-file,
 *     --key-file, --trusted-ca-file, --client-cert-auth), or null for plain text
 * @param peerTls TLS on the peer port and the peer connections this member dials (https peer
 *     URLs with the --peer-* flags), or null for plain TCP
 */
public record ServerConfig(
    String name,
    Map<String, InetSocketAddress> initialCluster,
    InetSocketAddress clientAddress,
    InetSocketAddress peerAddress,
    Path dataDir,
    long heartbeatMillis,
    long electionMillis,
    long snapshotCount,
    int maxRequestBytes,
    AutoCompaction autoCompaction,
    long quotaBackendBytes,
    Map<String, InetSocketAddress> clientUrls,
    boolean join,
    List<InetSocketAddress> metricsAddresses,
    java.time.Duration watchProgressInterval,
    raft.kv.tls.ServerTls clientTls,
    raft.transport.PeerTls peerTls) {

  public static final long DEFAULT_HEARTBEAT_MILLIS = 100;
  /** etcd's progress notification interval (fixed in 3.4, the flag's default in 3.5). */
  public static final java.time.Duration DEFAULT_WATCH_PROGRESS_INTERVAL =
      java.time.Duration.ofMinutes(10);
  public static final long DEFAULT_ELECTION_MILLIS = 1000;
  public static final long DEFAULT_SNAPSHOT_COUNT = 100_000; // etcd 3.4's default
  /** etcd's default --max-request-bytes: 1.5 MiB. */
  public static final int DEFAULT_MAX_REQUEST_BYTES = 1536 * 1024;
  /**
   * Unlike etcd (which keeps all history unless told otherwise), on by default: the history
   * lives in the heap, about 530 bytes per 256-byte put, and with none of it ever compacted the
   * default 256 MB heap was full after about 530,000 puts. 100,000 revisions keep the history
   * near 55 MB.
   */
  public static final AutoCompaction DEFAULT_AUTO_COMPACTION = AutoCompaction.revisions(100_000);

  /**
   * The default space quota's share of the heap. At the quota, the store's history takes about
   * 3/8 of the heap; restoring a snapshot of it needs about half as much again for a moment,
   * which leaves room for the log, requests in flight and garbage.
   */
  static final double DEFAULT_QUOTA_HEAP_SHARE = 3.0 / 8;

  public ServerConfig(String name, Map<String, InetSocketAddress> initialCluster,
      InetSocketAddress clientAddress, InetSocketAddress peerAddress, Path dataDir,
      long heartbeatMillis, long electionMillis, long snapshotCount, int maxRequestBytes,
      AutoCompaction autoCompaction, long quotaBackendBytes,
      Map<String, InetSocketAddress> clientUrls) {
    this(name, initialCluster, clientAddress, peerAddress, dataDir, heartbeatMillis,
        electionMillis, snapshotCount, maxRequestBytes, autoCompaction, quotaBackendBytes,
        clientUrls, false, List.of(), DEFAULT_WATCH_PROGRESS_INTERVAL, null, null);
  }

  /** The same, joining a running cluster ({@code --initial-cluster-state existing}) or not. */
  public ServerConfig withJoin(boolean existing) {
    return new ServerConfig(name, initialCluster, clientAddress, peerAddress, dataDir,
        heartbeatMillis, electionMillis, snapshotCount, maxRequestBytes, autoCompaction,
        quotaBackendBytes, clientUrls, existing, metricsAddresses, watchProgressInterval,
        clientTls, peerTls);
  }

  /** The same, serving /metrics, /health and /version on {@code addresses}. */
  public ServerConfig withMetricsAddresses(List<InetSocketAddress> addresses) {
    return new ServerConfig(name, initialCluster, clientAddress, peerAddress, dataDir,
        heartbeatMillis, electionMillis, snapshotCount, maxRequestBytes, autoCompaction,
        quotaBackendBytes, clientUrls, join, addresses, watchProgressInterval, clientTls,
        peerTls);
  }

  /** The same, with progress notifications every {@code interval}. */
  public ServerConfig withWatchProgressInterval(java.time.Duration interval) {
    return new ServerConfig(name, initialCluster, clientAddress, peerAddress, dataDir,
        heartbeatMillis, electionMillis, snapshotCount, maxRequestBytes, autoCompaction,
        quotaBackendBytes, clientUrls, join, metricsAddresses, interval, clientTls, peerTls);
  }

  /** The same, with TLS on the client port and on the peer port (either may be null). */
  public ServerConfig withTls(raft.kv.tls.ServerTls client, raft.transport.PeerTls peer) {
    return new ServerConfig(name, initialCluster, clientAddress, peerAddress, dataDir,
        heartbeatMillis, electionMillis, snapshotCount, maxRequestBytes, autoCompaction,
        quotaBackendBytes, clientUrls, join, metricsAddresses, watchProgressInterval, client,
        peer);
  }

  /** The scheme of this member's client URLs: https with client TLS. */
  public String clientScheme() {
    return clientTls == null ? "http" : "https";
  }

  /** The scheme of the members' peer URLs: https with peer TLS. */
  public String peerScheme() {
    return peerTls == null ? "http" : "https";
  }

  public ServerConfig {
    initialCluster = Map.copyOf(initialCluster);
    metricsAddresses = List.copyOf(metricsAddresses);
    if (watchProgressInterval.isNegative() || watchProgressInterval.isZero()) {
      throw new IllegalArgumentException("--experimental-watch-progress-notify-interval must be"
          + " positive");
    }
    Map<String, InetSocketAddress> clients = new LinkedHashMap<>(clientUrls);
    clients.put(name, clientAddress);
    clientUrls = Map.copyOf(clients);
    if (!initialCluster.containsKey(name)) {
      throw new IllegalArgumentException(
          "--name " + name + " is not in --initial-cluster " + initialCluster.keySet());
    }
    if (electionMillis < 5 * heartbeatMillis) {
      throw new IllegalArgumentException("--election-timeout (" + electionMillis
          + " ms) must be at least 5 times --heartbeat-interval (" + heartbeatMillis + " ms)");
    }
  }

  /**
   * Parses etcd's {@code --initial-cluster} form, {@code n1=http://127.0.0.1:12380,n2=...}
   * (the scheme is optional).
   */
  public static LinkedHashMap<String, InetSocketAddress> parseInitialCluster(String spec) {
    LinkedHashMap<String, InetSocketAddress> members = new LinkedHashMap<>();
    for (String part : spec.split(",")) {
      String[] kv = part.trim().split("=", 2);
      if (kv.length != 2 || kv[0].isEmpty()) {
        throw new IllegalArgumentException(
            "--initial-cluster: '" + part + "' is not name=host:port");
      }
      if (members.put(kv[0], parseAddress(kv[1])) != null) {
        throw new IllegalArgumentException("--initial-cluster: " + kv[0] + " appears twice");
      }
    }
    return members;
  }

  /** Whether a URL's scheme is https (TLS); {@code host:port} alone is http. */
  public static boolean isHttps(String url) {
    return url.trim().regionMatches(true, 0, "https://", 0, 8);
  }

  /** Parses {@code host:port}, {@code http://host:port} or {@code https://host:port}. */
  public static InetSocketAddress parseAddress(String url) {
    String s = url.trim().contains("://") ? url.trim() : "http://" + url.trim();
    URI uri = URI.create(s);
    if (uri.getHost() == null || uri.getPort() < 0) {
      throw new IllegalArgumentException("'" + url + "' is not host:port");
    }
    return new InetSocketAddress(uri.getHost(), uri.getPort());
  }

  /** The space quota in bytes: the flag, or 3/8 of the heap for 0, or no limit if negative. */
  public long spaceQuotaBytes() {
    if (quotaBackendBytes < 0) {
      return Long.MAX_VALUE;
    }
    return quotaBackendBytes > 0 ? quotaBackendBytes
        : (long) (Runtime.getRuntime().maxMemory() * DEFAULT_QUOTA_HEAP_SHARE);
  }

  /** Member ids in name order: 1, 2, 3, ... */
  public long memberId(String member) {
    long id = 1;
    for (String n : initialClusterOrder()) {
      if (n.equals(member)) {
        return id;
      }
      id++;
    }
    throw new IllegalArgumentException("no member named " + member);
  }

  public long memberId() {
    return memberId(name);
  }

  /** Names in id order. */
  public java.util.List<String> initialClusterOrder() {
    return idOrder(initialCluster.keySet());
  }

  /** Member names in id order (member i + 1 is the i-th): n2 before n10. */
  public static java.util.List<String> idOrder(java.util.Collection<String> names) {
    return names.stream().sorted(ServerConfig::byNaturalOrder).toList();
  }

  /**
   * The cluster id every member derives from the same --initial-cluster, so a peer from another
   * cluster (another member list) is recognised and refused.
   */
  public long clusterId() {
    CRC32C crc = new CRC32C();
    for (String n : initialClusterOrder()) {
      crc.update((n + "=" + initialCluster.get(n) + ";").getBytes());
    }
    return crc.getValue() | 0x1000_0000_0000L;
  }

  // "n2" before "n10"; other names alphabetically.
  private static int byNaturalOrder(String a, String b) {
    return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
  }
}
