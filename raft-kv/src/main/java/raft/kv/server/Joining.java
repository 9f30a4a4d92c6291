package raft.kv.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.pb.KvState;
import raft.pb.MembersAnswer;
import raft.storage.MemberIdentity;
import raft.transport.PeerTransport;

/**
 * Who a member is: its member id and cluster id. A member of a new cluster derives both from
 * --name and --initial-cluster (ids 1, 2, 3... in name order), as every other initial member
 * does. A member joining a running cluster ({@code --initial-cluster-state existing}) has the
 * id the member that handled {@code member add} drew at random: it asks the members listed in
 * --initial-cluster for the membership (etcd's GetClusterFromRemotePeers) and finds itself by
 * its peer URL, then records both ids in {@value #FILE} so that it restarts as itself without
 * asking again.
 */
final class Joining {
  static final String FILE = "joined-as";
  static final Duration ASK_TIMEOUT = Duration.ofSeconds(2);
  static final Duration GIVE_UP = Duration.ofSeconds(30);

  /**
   * The identity; {@code joined} for a member that joined a running cluster (no bootstrap
   * entries ever), and for one joining now the registry its peers answered with.
   */
  record Identity(MemberIdentity ids, boolean joined, KvState registry) {}

  private Joining() {}

  static Identity resolve(ServerConfig config, Consumer<String> log) throws IOException {
    Path file = config.dataDir().resolve(FILE);
    if (Files.exists(file)) {
      return new Identity(recorded(file), true, null);
    }
    if (!config.join() || hasLog(config.dataDir())) {
      return new Identity(new MemberIdentity(config.memberId(), config.clusterId()), false,
          null);
    }
    Identity joined = ask(config, log);
    record(file, joined.ids());
    return joined;
  }

  private static boolean hasLog(Path dataDir) throws IOException {
    Path wal = dataDir.resolve("wal");
    if (!Files.isDirectory(wal)) {
      return false;
    }
    try (var files = Files.list(wal)) {
      return files.findAny().isPresent();
    }
  }

  // Every peer in turn until one answers with a registry that lists this member.
  private static Identity ask(ServerConfig config, Consumer<String> log) throws IOException {
    String self = config.peerScheme() + "://"
        + KvServer.hostPort(config.initialCluster().get(config.name()));
    raft.transport.PeerTls.Contexts tls = config.peerTls() == null ? null
        : config.peerTls().load();
    long deadline = System.nanoTime() + GIVE_UP.toNanos();
    String last = "no member of --initial-cluster other than " + config.name();
    while (System.nanoTime() < deadline) {
      for (Map.Entry<String, InetSocketAddress> peer : config.initialCluster().entrySet()) {
        if (peer.getKey().equals(config.name())) {
          continue;
        }
        try {
          MembersAnswer a = PeerTransport.queryMembers(peer.getValue(), ASK_TIMEOUT, tls);
          KvState registry = KvState.parseFrom(a.getMembers());
          for (Member m : registry.getMembersList()) {
            if (m.getPeerURLsList().contains(self)) {
              log.accept("joining cluster " + Long.toHexString(a.getClusterId()) + " as member "
                  + Long.toHexString(m.getID()) + " (asked " + peer.getKey() + ")");
              return new Identity(new MemberIdentity(m.getID(), a.getClusterId()), true,
                  registry);
            }
          }
          last = peer.getKey() + " answered, but no member has peer URL " + self
              + ": add it first (etcdctl member add " + config.name() + " --peer-urls=" + self
              + ")";
        } catch (IOException e) {
          last = peer.getKey() + " at " + KvServer.hostPort(peer.getValue()) + ": "
              + e.getMessage();
        }
      }
      sleepQuietly();
    }
    throw new IOException("cannot join the cluster (--initial-cluster-state existing): " + last);
  }

  private static void sleepQuietly() {
    try {
      Thread.sleep(500); // at start, before anything runs: a retry pause, nothing to wake us
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static MemberIdentity recorded(Path file) throws IOException {
    String[] parts = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
    try {
      return new MemberIdentity(Long.parseUnsignedLong(parts[0], 16),
          Long.parseUnsignedLong(parts[1], 16));
    } catch (RuntimeException e) {
      throw new IOException(file + " does not hold '<member id> <cluster id>' in hex", e);
    }
  }

  private static void record(Path file, MemberIdentity ids) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(FILE + ".tmp");
    Files.writeString(tmp, Long.toHexString(ids.memberId()) + " "
        + Long.toHexString(ids.clusterId()) + "\n", StandardCharsets.US_ASCII);
    try (var ch = java.nio.channels.FileChannel.open(tmp,
        java.nio.file.StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
