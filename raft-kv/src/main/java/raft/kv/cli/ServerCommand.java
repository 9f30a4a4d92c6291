package raft.kv.cli;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import raft.kv.client.GlobalOptions;
import raft.kv.server.AutoCompaction;
import raft.kv.server.GoDuration;
import raft.kv.server.NettyMemory;
import raft.kv.server.ServerConfig;
import raft.kv.tls.ServerTls;
import raft.transport.PeerTls;

/** {@code raftkv server}: etcd's member flags, turned into a {@link ServerConfig}. */
@Command(name = "server", mixinStandardHelpOptions = true,
    description = "Runs one member until it is stopped (SIGTERM stops it gracefully).")
public final class ServerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--name", required = true, description = "This member's name, e.g. n1.")
  String name;

  @Option(names = "--initial-cluster", required = true,
      description = "Every member: n1=127.0.0.1:12380,n2=127.0.0.1:22380,...")
  String initialCluster;

  @Option(names = "--initial-cluster-state", defaultValue = "new",
      description = "'new' to start a new cluster of the --initial-cluster members, 'existing'"
          + " to join a running cluster this member was added to (etcdctl member add prints"
          + " the flags to use). Ignored when the data directory has a log"
          + " (default: ${DEFAULT-VALUE}).")
  String initialClusterState;

  @Option(names = "--listen-client-urls", defaultValue = "127.0.0.1:2379",
      description = "The one address of the etcd v3 gRPC API; https://host:port for TLS"
          + " (default: ${DEFAULT-VALUE}).")
  String listenClientUrls;

  @Option(names = "--listen-peer-urls",
      description = "The one address of the peer transport (default: this member's"
          + " --initial-cluster address).")
  String listenPeerUrls;

  @Option(names = "--listen-metrics-urls",
      description = "Where to serve /metrics (Prometheus), /health and /version over HTTP, as"
          + " etcd's flag: http://127.0.0.1:2381, comma-separated for several. Default: none.")
  String listenMetricsUrls;

  @Option(names = "--member-client-urls",
      description = "Every member's client address, n1=127.0.0.1:2379,... (our own flag, kept"
          + " for old scripts: member list now shows the client URL each member publishes"
          + " through the log, as etcd's). Default: only this member's.")
  String memberClientUrls;

  @Option(names = "--data-dir", description = "Where the WAL and snapshots live"
      + " (default: <name>.raftkv).")
  Path dataDir;

  @Option(names = "--heartbeat-interval", defaultValue = "100",
      description = "Milliseconds per Raft tick (default: ${DEFAULT-VALUE}).")
  long heartbeatMillis;

  @Option(names = "--election-timeout", defaultValue = "1000",
      description = "Base election timeout in milliseconds (default: ${DEFAULT-VALUE}).")
  long electionMillis;

  @Option(names = "--snapshot-count", defaultValue = "100000",
      description = "Applied entries between snapshots (default: ${DEFAULT-VALUE}).")
  long snapshotCount;

  @Option(names = "--max-request-bytes", defaultValue = "1572864",
      description = "Largest client request (default: ${DEFAULT-VALUE}).")
  int maxRequestBytes;

  @Option(names = "--auto-compaction-mode", defaultValue = "revision",
      description = "'revision' (keep a number of revisions) or 'periodic' (keep a time span)"
          + " (default: ${DEFAULT-VALUE}).")
  String autoCompactionMode;

  @Option(names = "--auto-compaction-retention",
      description = "What the leader keeps; it compacts the rest. Revision mode: a number of"
          + " revisions (default: 100000; 0 keeps all, as etcd does by default). Periodic mode:"
          + " a duration such as 1h, 30m or 5s, or a number of hours.")
  String autoCompactionRetention;

  @Option(names = "--quota-backend-bytes", defaultValue = "0",
      description = "Space quota: when the store's history (estimated heap bytes) would pass it,"
          + " the NOSPACE alarm is raised and writes that add data are refused until"
          + " 'etcdctl alarm disarm'. 0 is 3/8 of the heap, negative is no quota"
          + " (default: ${DEFAULT-VALUE}).")
  long quotaBackendBytes;

  @Option(names = "--experimental-watch-progress-notify-interval", defaultValue = "10m",
      description = "How often a watcher created with progress_notify, synced and without"
          + " events meanwhile, gets an empty response at the current revision: a Go duration"
          + " such as 10m or 500ms (etcd 3.5's flag; etcd 3.4 fixes 10m) (default:"
          + " ${DEFAULT-VALUE}).")
  String watchProgressInterval;

  // etcd's TLS flags. TLS is on for a port when its listen URL is https.
  @Option(names = "--cert-file", description = "The client port's certificate (PEM), for an"
      + " https --listen-client-urls.")
  Path certFile;

  @Option(names = "--key-file", description = "The private key of --cert-file (PEM: PKCS#8,"
      + " PKCS#1 or SEC1, unencrypted).")
  Path keyFile;

  @Option(names = "--trusted-ca-file", description = "CA certificates (PEM) that sign the"
      + " clients' certificates; as in etcd, given, it makes the client port require one.")
  Path trustedCaFile;

  @Option(names = "--client-cert-auth", description = "Require a client certificate signed by"
      + " --trusted-ca-file on the client port.")
  boolean clientCertAuth;

  @Option(names = "--peer-cert-file", description = "This member's peer certificate (PEM): it"
      + " serves the peer port and is presented when dialing peers (https peer URLs).")
  Path peerCertFile;

  @Option(names = "--peer-key-file", description = "The private key of --peer-cert-file (PEM).")
  Path peerKeyFile;

  @Option(names = "--peer-trusted-ca-file", description = "CA certificates (PEM) that sign the"
      + " peers' certificates; given, the peer port requires the dialer's certificate.")
  Path peerTrustedCaFile;

  @Option(names = "--peer-client-cert-auth", description = "Require a peer certificate signed"
      + " by --peer-trusted-ca-file from every member that dials this one.")
  boolean peerClientCertAuth;

  @Override
  public Integer call() throws Exception {
    NettyMemory.applyDefaults(); // before anything loads Netty's allocators
    ServerConfig config = toConfig();
    java.io.PrintWriter err = spec.commandLine().getErr();
    tlsWarnings().forEach(w -> err.println("raftkv server: warning: " + w));
    err.flush();
    GlobalOptions.of(spec).serverRunner().run(config);
    return 0;
  }

  /** Any inconsistency is a usage error (exit 2), reported in ServerConfig's words. */
  ServerConfig toConfig() {
    try {
      LinkedHashMap<String, InetSocketAddress> members =
          ServerConfig.parseInitialCluster(initialCluster);
      InetSocketAddress client = oneAddress("--listen-client-urls", listenClientUrls);
      InetSocketAddress peer = listenPeerUrls != null
          ? oneAddress("--listen-peer-urls", listenPeerUrls) : members.get(name);
      if (heartbeatMillis <= 0 || snapshotCount <= 0 || maxRequestBytes <= 0) {
        throw new IllegalArgumentException("--heartbeat-interval, --snapshot-count and"
            + " --max-request-bytes must be positive");
      }
      AutoCompaction compaction = AutoCompaction.parse(autoCompactionMode,
          autoCompactionRetention, ServerConfig.DEFAULT_AUTO_COMPACTION.revisions());
      Path dir = dataDir != null ? dataDir : Path.of(name + ".raftkv");
      return new ServerConfig(name, members, client, peer == null ? client : peer, dir,
          heartbeatMillis, electionMillis, snapshotCount, maxRequestBytes,
          compaction, quotaBackendBytes, memberClientUrls == null ? java.util.Map.of()
              : ServerConfig.parseInitialCluster(memberClientUrls))
          .withJoin(existing(initialClusterState))
          .withMetricsAddresses(metricsAddresses(listenMetricsUrls))
          .withWatchProgressInterval(GoDuration.parse(
              "--experimental-watch-progress-notify-interval", watchProgressInterval))
          .withTls(clientTls(), peerTls());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  /** TLS on the client port when its URL is https; the files read and checked now. */
  private ServerTls clientTls() {
    if (!ServerConfig.isHttps(listenClientUrls)) {
      return null;
    }
    ServerTls tls = new ServerTls(certFile, keyFile, trustedCaFile, clientCertAuth);
    tls.serverContext(); // a missing, unreadable or mismatched file: a usage error now
    return tls;
  }

  /**
   * TLS on the peer port when the peer URLs are https: every one of them, since a member dials
   * all its peers the same way; the files read and checked now.
   */
  private PeerTls peerTls() {
    boolean https = listenPeerUrls != null ? ServerConfig.isHttps(listenPeerUrls)
        : peerUrlSchemes().contains("https");
    java.util.Set<String> schemes = peerUrlSchemes();
    if (schemes.size() > 1 || https != schemes.contains("https")) {
      throw new IllegalArgumentException("--initial-cluster and --listen-peer-urls mix http and"
          + " https peer URLs: with peer TLS every peer URL is https, without it none is");
    }
    if (!https) {
      return null;
    }
    PeerTls tls = new PeerTls(peerCertFile, peerKeyFile, peerTrustedCaFile,
        peerClientCertAuth);
    tls.load(); // a missing, unreadable or mismatched file: a usage error now
    return tls;
  }

  /** Certificate flags an http listen URL ignores, in etcd's words (its log warns too). */
  private java.util.List<String> tlsWarnings() {
    java.util.List<String> out = new java.util.ArrayList<>(TlsFlagWarnings.client(
        listenClientUrls, certFile, keyFile, clientCertAuth));
    out.addAll(TlsFlagWarnings.peer(listenPeerUrls != null ? listenPeerUrls : ownPeerUrl(),
        peerCertFile, peerKeyFile, peerClientCertAuth));
    return out;
  }

  /** This member's peer URL as --initial-cluster spells it; null if it is not there. */
  private String ownPeerUrl() {
    for (String part : initialCluster.split(",")) {
      int eq = part.indexOf('=');
      if (eq > 0 && part.substring(0, eq).trim().equals(name)) {
        return part.substring(eq + 1).trim();
      }
    }
    return null;
  }

  /** The schemes of --initial-cluster's peer URLs ("http" for host:port). */
  private java.util.Set<String> peerUrlSchemes() {
    java.util.Set<String> out = new java.util.TreeSet<>();
    for (String part : initialCluster.split(",")) {
      String url = part.contains("=") ? part.substring(part.indexOf('=') + 1) : part;
      out.add(ServerConfig.isHttps(url) ? "https" : "http");
    }
    return out;
  }

  private static boolean existing(String state) {
    return switch (state) {
      case "new" -> false;
      case "existing" -> true;
      default -> throw new IllegalArgumentException("--initial-cluster-state must be 'new' or"
          + " 'existing', not '" + state + "'");
    };
  }

  /** etcd's --listen-metrics-urls: http URLs, comma-separated (https is not served here). */
  static java.util.List<InetSocketAddress> metricsAddresses(String urls) {
    if (urls == null || urls.isBlank()) {
      return java.util.List.of();
    }
    java.util.List<InetSocketAddress> out = new java.util.ArrayList<>();
    for (String url : urls.split(",")) {
      String u = url.trim();
      if (u.contains("://") && !u.startsWith("http://")) {
        throw new IllegalArgumentException("--listen-metrics-urls: '" + u + "' is not an"
            + " http:// URL (only http is served)");
      }
      try {
        out.add(ServerConfig.parseAddress(u));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--listen-metrics-urls: " + e.getMessage());
      }
    }
    return out;
  }

  private static InetSocketAddress oneAddress(String flag, String urls) {
    if (urls.contains(",")) {
      throw new IllegalArgumentException(flag + " takes one URL, not '" + urls + "'");
    }
    try {
      return ServerConfig.parseAddress(urls);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(flag + ": " + e.getMessage());
    }
  }
}
