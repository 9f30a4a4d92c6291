package raft.kv.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import raft.storage.wal.WalDump;

/**
 * {@code raftkv wal dump|verify --data-dir D}: raft-core's {@link WalDump} on a member's WAL.
 * A member keeps its segments in {@code <data-dir>/wal}; a directory that has no {@code wal}
 * inside is taken to be the segment directory itself. Exit codes are WalDump's: 0 fine,
 * 1 corrupt, 2 usage or I/O error.
 *
 * <p>Both only read (verify's recovery writes to an overlay in memory), so they take no lock
 * on the data directory and may run beside a live member; its newest record may then be half
 * written and show as a torn tail. Only what writes a data directory ({@code server}, {@code
 * snapshot restore}) takes the lock.
 */
@Command(name = "wal", description = "Inspects a member's write-ahead log (offline).",
    subcommands = {WalCommand.Dump.class, WalCommand.Verify.class})
public final class WalCommand {

  static Path walDir(Path dataDir) {
    Path wal = dataDir.resolve("wal");
    return Files.isDirectory(wal) ? wal : dataDir;
  }

  abstract static class Base implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--data-dir", required = true, description = "The member's --data-dir.")
    Path dataDir;

    int walDump(boolean verify) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      String dir = walDir(dataDir).toString();
      String[] args = verify ? new String[] {"--data-dir", dir, "--verify"}
          : new String[] {"--data-dir", dir};
      int code = WalDump.run(args, new PrintStream(buf, true, StandardCharsets.UTF_8));
      (code == 2 ? spec.commandLine().getErr() : spec.commandLine().getOut())
          .print(buf.toString(StandardCharsets.UTF_8));
      spec.commandLine().getOut().flush();
      spec.commandLine().getErr().flush();
      return code;
    }
  }

  @Command(name = "dump", description = "Prints every WAL record, one per line.")
  static final class Dump extends Base {
    @Override
    public Integer call() {
      return walDump(false);
    }
  }

  @Command(name = "verify", description = "Dumps, then runs recovery read-only; exit 1 if corrupt.")
  static final class Verify extends Base {
    @Override
    public Integer call() {
      return walDump(true);
    }
  }
}
