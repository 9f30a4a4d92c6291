package raft.kv.client;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import raft.kv.server.ServerConfig;

/**
 * What every raftkv subcommand takes from the top-level command: the global options and the
 * process's stdin and server runner. The top-level command ({@code raft.kv.main.RaftKvCommand})
 * extends it; a subcommand reaches it with {@link #of}, so the verbs (cli, bench, cluster) need
 * not know the command that lists them, and no package cycle arises.
 */
public abstract class GlobalOptions {

  /** Runs a member; {@code KvServer#run} in production, a recorder in tests. */
  @FunctionalInterface
  public interface ServerRunner {
    void run(ServerConfig config) throws Exception;
  }

  // Inherited, so both "raftkv --endpoints=X get k" and "raftkv get k --endpoints=X" work.
  @Option(names = "--endpoints", scope = ScopeType.INHERIT, defaultValue = "127.0.0.1:2379",
      description = "Comma-separated gRPC endpoints (default: ${DEFAULT-VALUE}).")
  private String endpoints;

  @Option(names = "--dial-timeout", scope = ScopeType.INHERIT, defaultValue = "2s",
      converter = GoDurationConverter.class,
      description = "Time allowed to connect to an endpoint (default: ${DEFAULT-VALUE}).")
  private Duration dialTimeout;

  @Option(names = "--command-timeout", scope = ScopeType.INHERIT, defaultValue = "5s",
      converter = GoDurationConverter.class,
      description = "Time allowed for one request (default: ${DEFAULT-VALUE}).")
  private Duration commandTimeout;

  private final InputStream in;
  private final ServerRunner serverRunner;

  protected GlobalOptions(InputStream in, ServerRunner serverRunner) {
    this.in = in;
    this.serverRunner = serverRunner;
  }

  /** The global options of the command line {@code spec} belongs to. */
  public static GlobalOptions of(CommandSpec spec) {
    return (GlobalOptions) spec.root().userObject();
  }

  /** A client over --endpoints with the global timeouts; the caller closes it. */
  public Clients clients() {
    List<String> eps = Clients.splitEndpoints(endpoints);
    if (eps.isEmpty()) {
      throw new Clients.Failure("--endpoints is empty");
    }
    return new Clients(eps, dialTimeout, commandTimeout);
  }

  public InputStream in() {
    return in;
  }

  public ServerRunner serverRunner() {
    return serverRunner;
  }
}
