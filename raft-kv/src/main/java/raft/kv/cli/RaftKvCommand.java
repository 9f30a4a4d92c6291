package raft.kv.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import raft.kv.cluster.ClusterCommand;
import raft.kv.server.KvServer;
import raft.kv.server.ServerConfig;

/**
 * {@code raftkv}: the server entry point, an etcdctl-3.4-like client, WAL tools and the local
 * cluster launcher, in one jar. Exit codes: 0 fine, 1 the operation failed (the line
 * {@code Error: ...} on stderr, as etcdctl), 2 bad command line.
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
        KvCommands.Compaction.class,
        WalCommand.class, ClusterCommand.class, raft.kv.bench.BenchCommand.class})
public final class RaftKvCommand {

  /** Runs a member; {@link KvServer#run} in production, a recorder in tests. */
  @FunctionalInterface
  public interface ServerRunner {
    void run(ServerConfig config) throws Exception;
  }

  // Inherited, so both "raftkv --endpoints=X get k" and "raftkv get k --endpoints=X" work.
  @Option(names = "--endpoints", scope = ScopeType.INHERIT, defaultValue = "127.0.0.1:2379",
      description = "Comma-separated gRPC endpoints (default: ${DEFAULT-VALUE}).")
  String endpoints;

  @Option(names = "--dial-timeout", scope = ScopeType.INHERIT, defaultValue = "2s",
      converter = GoDurationConverter.class,
      description = "Time allowed to connect to an endpoint (default: ${DEFAULT-VALUE}).")
  Duration dialTimeout;

  @Option(names = "--command-timeout", scope = ScopeType.INHERIT, defaultValue = "5s",
      converter = GoDurationConverter.class,
      description = "Time allowed for one request (default: ${DEFAULT-VALUE}).")
  Duration commandTimeout;

  final InputStream in;
  final ServerRunner serverRunner;

  public RaftKvCommand() {
    this(System.in, KvServer::run);
  }

  public RaftKvCommand(InputStream in, ServerRunner serverRunner) {
    this.in = in;
    this.serverRunner = serverRunner;
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
      return 1;
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

  /** A client over --endpoints with the global timeouts; the caller closes it. */
  public Clients clients() {
    List<String> eps = Clients.splitEndpoints(endpoints);
    if (eps.isEmpty()) {
      throw new Clients.Failure("--endpoints is empty");
    }
    return new Clients(eps, dialTimeout, commandTimeout);
  }

  /** Go-style durations as etcdctl takes them: 2s, 500ms, 1m; a bare number is seconds. */
  public static final class GoDurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String s) {
      String t = s.trim();
      if (t.matches("\\d+")) {
        return Duration.ofSeconds(Long.parseLong(t));
      }
      var m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(t);
      if (!m.matches()) {
        throw new CommandLine.TypeConversionException("'" + s + "' is not a duration like 2s");
      }
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    }
  }
}
