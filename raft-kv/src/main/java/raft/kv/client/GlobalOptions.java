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

  // etcdctl's TLS flags; any of them (or an https:// endpoint) means TLS.
  @Option(names = "--cacert", scope = ScopeType.INHERIT,
      description = "Verify the members' certificates with this CA bundle (PEM).")
  private java.nio.file.Path cacert;

  @Option(names = "--cert", scope = ScopeType.INHERIT,
      description = "Identify this client with this certificate (PEM), for members that"
          + " require one (--client-cert-auth).")
  private java.nio.file.Path cert;

  @Option(names = "--key", scope = ScopeType.INHERIT,
      description = "The private key of --cert (PEM: PKCS#8, PKCS#1 or SEC1).")
  private java.nio.file.Path key;

  @Option(names = "--insecure-skip-tls-verify", scope = ScopeType.INHERIT,
      description = "Accept any server certificate (tests only).")
  private boolean insecureSkipTlsVerify;

  @Option(names = "--user", scope = ScopeType.INHERIT, paramLabel = "name[:password]",
      description = "Username[:password] for authentication (prompt if password is not "
          + "supplied).")
  private String user;

  @Option(names = "--password", scope = ScopeType.INHERIT,
      description = "Password for authentication (if this option is used, --user option "
          + "shouldn't include password).")
  private String password;

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
    Clients c = new Clients(eps, dialTimeout, commandTimeout, tls());
    return user == null ? c : UserFlag.authenticate(c, user, password, in);
  }

  /** The TLS flags given ({@link ClientTls#NONE} if none). */
  public ClientTls tls() {
    return new ClientTls(cacert, cert, key, insecureSkipTlsVerify);
  }

  public InputStream in() {
    return in;
  }

  public ServerRunner serverRunner() {
    return serverRunner;
  }
}
