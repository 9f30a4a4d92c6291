package raft.kv.main;

import java.io.InputStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import raft.kv.bench.BenchCommand;
import raft.kv.cli.AlarmCommand;
import raft.kv.cli.KvCommands;
import raft.kv.cli.LeaseCommand;
import raft.kv.cli.MaintenanceCommands;
import raft.kv.cli.ServerCommand;
import raft.kv.cli.SnapshotCommand;
import raft.kv.cli.RoleCommand;
import raft.kv.cli.TxnCommand;
import raft.kv.cli.UserCommand;
import raft.kv.cli.WalCommand;
import raft.kv.cli.WatchCommand;
import raft.kv.client.Clients;
import raft.kv.client.GlobalOptions;
import raft.kv.cluster.ClusterCommand;
import raft.kv.server.KvServer;

/**
 * {@code raftkv}: the server entry point, an etcdctl-3.4-like client, WAL tools, the local
 * cluster launcher and the benchmark, in one jar. Exit codes: 0 fine, 1 the operation failed
 * (the line {@code Error: ...} on stderr, as etcdctl), 2 bad command line, or --user's
 * authentication refused (etcdctl's ExitBadConnection).
 *
 * <p>Only this package lists the verbs of every other (the top of raft-kv's layering); the
 * options they all inherit are in {@link GlobalOptions}.
 */
// scope = INHERIT: every subcommand gets --help and --version too, as every error line
// ("see 'raftkv get --help'") promises.
@Command(name = "raftkv", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT,
    version = "raftkv 0.1.0",
    description = "A Raft-replicated, etcd-v3-compatible key-value store.",
    subcommands = {ServerCommand.class, KvCommands.Put.class, KvCommands.Get.class,
        KvCommands.Del.class, TxnCommand.class, WatchCommand.class, LeaseCommand.class,
        MaintenanceCommands.MemberCommand.class, MaintenanceCommands.EndpointCommand.class,
        MaintenanceCommands.MoveLeader.class, AlarmCommand.class, SnapshotCommand.class,
        KvCommands.Compaction.class, UserCommand.class, RoleCommand.class,
        RoleCommand.AuthCommand.class,
        WalCommand.class, ClusterCommand.class, BenchCommand.class})
public final class RaftKvCommand extends GlobalOptions {

  public RaftKvCommand() {
    this(System.in, KvServer::run);
  }

  public RaftKvCommand(InputStream in, ServerRunner serverRunner) {
    super(in, serverRunner);
  }

  public static void main(String[] args) {
    System.exit(commandLine(new RaftKvCommand()).execute(args));
  }

  /** The configured command line: one-line errors, exit 2 for usage, 1 for failures. */
  public static CommandLine commandLine(RaftKvCommand root) {
    CommandLine cl = new CommandLine(root);
    cl.setParameterExceptionHandler(RaftKvCommand::usageError);
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("Error: " + Clients.errorMessage(e));
      cmd.getErr().flush();
      return e instanceof Clients.BadConnection ? 2 : 1;
    });
    return cl;
  }

  private static int usageError(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("Error: " + e.getMessage() + " (see '" + cmd.getCommandSpec().qualifiedName()
        + " --help')");
    err.flush();
    return 2;
  }
}
