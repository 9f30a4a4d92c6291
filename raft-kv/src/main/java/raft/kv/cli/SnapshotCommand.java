package raft.kv.cli;

import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.zip.CRC32;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import raft.kv.api.etcdserverpb.MaintenanceGrpc;
import raft.kv.api.etcdserverpb.SnapshotRequest;
import raft.kv.api.etcdserverpb.SnapshotResponse;
import raft.kv.client.Clients;
import raft.kv.client.Table;
import raft.kv.pb.KeyHistoryState;
import raft.kv.pb.KvState;
import raft.kv.backup.EtcdBackup;
import raft.kv.server.BackupFile;
import raft.kv.server.BackupFormat;
import raft.kv.server.ServerConfig;

/**
 * Backups, as etcdctl 3.4's {@code snapshot save|status|restore}. A backup is etcd's bbolt
 * database by default (etcdctl reads ours, and we read etcd's), or our own snapshot file with
 * {@code save --format raftkv} (see {@link BackupFile}); status and restore tell them apart.
 */
@Command(name = "snapshot", description = "Backs up a member's state, and restores it.",
    subcommands = {SnapshotCommand.Save.class, SnapshotCommand.Status.class,
        SnapshotCommand.Restore.class})
public final class SnapshotCommand {
  private SnapshotCommand() {}

  @Command(name = "save", description = "Saves a backup of one member's state to a file.")
  static final class Save extends ClientCommand {
    @Parameters(index = "0", paramLabel = "filename") Path file;
    @Option(names = "--format", defaultValue = BackupFormat.ETCD, description = "etcd (etcd's"
        + " bbolt database, which etcdctl reads; the default) or raftkv (our snapshot file).")
    String format;

    @Override
    int run(Clients clients) throws IOException {
      if (!format.equals(BackupFormat.ETCD) && !format.equals(BackupFormat.RAFTKV)) {
        throw new Clients.Failure("--format is etcd or raftkv, not " + format);
      }
      Metadata asked = new Metadata();
      asked.put(BackupFormat.HEADER, format);
      if (clients.endpoints().size() != 1) {
        throw new Clients.Failure("snapshot must be requested to one selected node, not"
            + " multiple " + clients.endpoints());
      }
      // A stream has no deadline: a large state takes as long as it takes.
      Iterator<SnapshotResponse> stream = clients.withToken(
          MaintenanceGrpc.newBlockingStub(clients.channel())).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(asked))
          .snapshot(SnapshotRequest.getDefaultInstance());
      Path part = file.resolveSibling(file.getFileName() + ".part");
      try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        OutputStream out = java.nio.channels.Channels.newOutputStream(ch);
        while (stream.hasNext()) {
          stream.next().getBlob().writeTo(out);
        }
        ch.force(true);
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(part); // no half backup left behind
        throw e;
      }
      Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      BackupFile.read(file); // etcdctl checks only the size; we check it all
      out().println("Snapshot saved at " + file);
      return 0;
    }
  }

  /**
   * etcdctl's status line: hash, revision, total keys, size. Of an etcd backup, etcd's figures
   * ({@link EtcdBackup#status}: the CRC-32C of every bucket's name, keys and values, the newest
   * revision in the key bucket, every bucket's entries, the database's size); of ours, the
   * CRC-32 of the state, its revision and its live keys.
   */
  @Command(name = "status", description = "Checks a backup and prints: hash, revision, total"
      + " keys, size (as etcdctl does for an etcd backup).")
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Parameters(index = "0", paramLabel = "filename") Path file;
    @Option(names = {"-w", "--write-out"}, defaultValue = "simple",
        description = "simple, json or table.") String writeOut;

    @Override
    public Integer call() throws IOException {
      long hash;
      long revision;
      long keys;
      long size;
      if (EtcdBackup.isBolt(file)) {
        if (EtcdBackup.hasHash(file)) { // etcdctl does not check it here; a damaged one is news
          EtcdBackup.checkHash(file, false);
        }
        EtcdBackup.Status s = EtcdBackup.status(file);
        hash = Integer.toUnsignedLong(s.hash().hash());
        revision = s.hash().revision();
        keys = s.hash().totalKeys();
        size = s.totalSize();
      } else {
        BackupFile.Contents backup = BackupFile.read(file);
        KvState state = backup.state();
        CRC32 crc = new CRC32();
        crc.update(backup.snapshot().getData().asReadOnlyByteBuffer());
        hash = crc.getValue();
        revision = state.getRevision();
        keys = state.getKeysList().stream().filter(SnapshotCommand::isLive).count();
        size = Files.size(file);
      }
      spec.commandLine().getOut().printf("%s", switch (writeOut) {
        case "json" -> String.format("{\"hash\":%d,\"revision\":%d,\"totalKey\":%d,"
            + "\"totalSize\":%d}%n", hash, revision, keys, size);
        case "table" -> table(List.of("HASH", "REVISION", "TOTAL KEYS", "TOTAL SIZE"),
            List.of(Long.toHexString(hash), Long.toString(revision), Long.toString(keys),
                Printer.humanBytes(size)));
        default -> String.format("%x, %d, %d, %s%n", hash, revision, keys,
            Printer.humanBytes(size));
      });
      return 0;
    }
  }

  /** etcdctl's table of one row, every cell right-aligned as its DBStatus table sets it. */
  private static String table(List<String> header, List<String> row) {
    List<String> padded = new java.util.ArrayList<>();
    for (int i = 0; i < row.size(); i++) {
      int width = Math.max(header.get(i).length(), row.get(i).length());
      padded.add(" ".repeat(width - row.get(i).length()) + row.get(i));
    }
    return Table.render(header, List.of(padded));
  }

  private static boolean isLive(KeyHistoryState h) {
    return h.getChangesCount() > 0
        && h.getChanges(h.getChangesCount() - 1).getKv().getVersion() > 0;
  }

  @Command(name = "restore", description = "Makes a new member's data directory from a backup;"
      + " run it for every member of the new cluster, then start them.")
  static final class Restore implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Parameters(index = "0", paramLabel = "filename") Path file;
    @Option(names = "--name", required = true, description = "This member's name.") String name;
    @Option(names = "--initial-cluster", required = true,
        description = "Every member of the new cluster, n1=127.0.0.1:12380,...")
    String initialCluster;
    @Option(names = "--data-dir", description = "Where to restore (default: <name>.raftkv);"
        + " must not exist or be empty.") Path dataDir;
    @Option(names = "--skip-hash-check", description = "Accept an etcd database without its"
        + " SHA-256 trailer (one copied from a member's data directory).") boolean skipHashCheck;

    @Override
    public Integer call() throws IOException {
      Map<String, java.net.InetSocketAddress> members =
          ServerConfig.parseInitialCluster(initialCluster);
      if (!members.containsKey(name)) {
        throw new Clients.Failure("--name " + name + " is not in --initial-cluster "
            + members.keySet());
      }
      Path dir = dataDir != null ? dataDir : Path.of(name + ".raftkv");
      // etcdctl keeps the peer URLs as given: https ones for a cluster with peer TLS.
      String scheme = initialCluster.contains("https://") ? "https" : "http";
      KvState state = BackupFile.restore(file, dir, members, skipHashCheck, scheme).state();
      spec.commandLine().getOut().println("restored revision " + state.getRevision() + " into "
          + dir + " for member " + name + " of " + ServerConfig.idOrder(members.keySet()));
      return 0;
    }
  }
}
