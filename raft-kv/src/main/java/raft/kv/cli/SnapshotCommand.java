package raft.kv.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
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
import raft.kv.pb.KeyHistoryState;
import raft.kv.pb.KvState;
import raft.kv.server.BackupFile;
import raft.kv.server.ServerConfig;

/**
 * Backups, as etcdctl 3.4's {@code snapshot save|status|restore}. The file is ours, not etcd's
 * bbolt database (see {@link BackupFile}), so etcdctl can save one but only raftkv reads it.
 */
@Command(name = "snapshot", description = "Backs up a member's state, and restores it.",
    subcommands = {SnapshotCommand.Save.class, SnapshotCommand.Status.class,
        SnapshotCommand.Restore.class})
public final class SnapshotCommand {
  private SnapshotCommand() {}

  @Command(name = "save", description = "Saves a backup of one member's state to a file.")
  static final class Save extends ClientCommand {
    @Parameters(index = "0", paramLabel = "filename") Path file;

    @Override
    int run(Clients clients) throws IOException {
      if (clients.endpoints().size() != 1) {
        throw new Clients.Failure("snapshot must be requested to one selected node, not"
            + " multiple " + clients.endpoints());
      }
      // A stream has no deadline: a large state takes as long as it takes.
      Iterator<SnapshotResponse> stream = MaintenanceGrpc.newBlockingStub(clients.channel())
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

  /** etcdctl's simple format: hash, revision, total keys, total size. */
  @Command(name = "status", description = "Checks a backup and prints: hash (CRC-32 of the"
      + " state), revision, live keys, size.")
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Parameters(index = "0", paramLabel = "filename") Path file;

    @Override
    public Integer call() throws IOException {
      BackupFile.Contents backup = BackupFile.read(file);
      KvState state = backup.state();
      CRC32 crc = new CRC32();
      crc.update(backup.snapshot().getData().asReadOnlyByteBuffer());
      long live = state.getKeysList().stream().filter(SnapshotCommand::isLive).count();
      spec.commandLine().getOut().printf("%x, %d, %d, %s%n", crc.getValue(),
          state.getRevision(), live, Printer.humanBytes(Files.size(file)));
      return 0;
    }
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

    @Override
    public Integer call() throws IOException {
      Map<String, java.net.InetSocketAddress> members =
          ServerConfig.parseInitialCluster(initialCluster);
      if (!members.containsKey(name)) {
        throw new Clients.Failure("--name " + name + " is not in --initial-cluster "
            + members.keySet());
      }
      Path dir = dataDir != null ? dataDir : Path.of(name + ".raftkv");
      KvState state = BackupFile.restore(file, dir, members).state();
      spec.commandLine().getOut().println("restored revision " + state.getRevision() + " into "
          + dir + " for member " + name + " of " + ServerConfig.idOrder(members.keySet()));
      return 0;
    }
  }
}
