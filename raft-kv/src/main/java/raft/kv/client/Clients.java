package raft.kv.client;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import raft.kv.api.etcdserverpb.AuthGrpc;
import raft.kv.api.etcdserverpb.ClusterGrpc;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.LeaseGrpc;
import raft.kv.api.etcdserverpb.MaintenanceGrpc;
import raft.kv.api.etcdserverpb.WatchGrpc;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import raft.kv.server.ServerConfig;
import raft.kv.tls.GrpcClientTls;

/**
 * The one place that dials endpoints, builds stubs, applies timeouts and turns gRPC failures
 * into etcdctl's {@code Error: ...} lines.
 *
 * <p>Like etcdctl with several {@code --endpoints}, a command talks to the first endpoint that
 * connects within {@code --dial-timeout}; per-endpoint commands (endpoint status/health,
 * move-leader) dial each one with {@link #channelTo}. Not thread-safe: one per command run.
 * Dialing blocks for at most the dial timeout per endpoint; every unary call carries a deadline
 * of {@code --command-timeout}.
 */
public final class Clients implements AutoCloseable {

  /** A failure that is already a complete user-facing message (printed as {@code Error: msg}). */
  public static final class Failure extends RuntimeException {
    public Failure(String message) {
      super(message);
    }
  }

  /**
   * The client could not be made ready: etcdctl exits 2 (ExitBadConnection) for it, as when
   * --user's Authenticate is refused. The message is printed as {@code Error: msg}.
   */
  public static final class BadConnection extends RuntimeException {
    public BadConnection(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final List<String> endpoints;
  private final Duration dialTimeout;
  private final Duration commandTimeout;
  private final ClientTls tls;
  private final Map<String, ManagedChannel> open = new LinkedHashMap<>();
  private ManagedChannel first;
  private ClientAuth auth; // null: no --user

  public Clients(List<String> endpoints, Duration dialTimeout, Duration commandTimeout) {
    this(endpoints, dialTimeout, commandTimeout, ClientTls.NONE);
  }

  /** The same, dialing with TLS when {@code tls} has a flag or an endpoint is https. */
  public Clients(List<String> endpoints, Duration dialTimeout, Duration commandTimeout,
      ClientTls tls) {
    this.endpoints = List.copyOf(endpoints);
    this.dialTimeout = dialTimeout;
    this.commandTimeout = commandTimeout;
    this.tls = java.util.Objects.requireNonNull(tls, "tls");
  }

  /** The TLS flags this client dials with. */
  public ClientTls tls() {
    return tls;
  }

  public Duration commandTimeout() {
    return commandTimeout;
  }

  public List<String> endpoints() {
    return endpoints;
  }

  /** The first endpoint, in --endpoints order, that connects; blocks while dialing. */
  public ManagedChannel channel() {
    if (first == null) {
      for (String ep : endpoints) {
        ManagedChannel ch = tryDial(ep);
        if (ch != null) {
          first = ch;
          break;
        }
      }
      if (first == null) {
        throw new Failure("context deadline exceeded (no endpoint answered: "
            + String.join(",", endpoints) + ")");
      }
    }
    return first;
  }

  /** A channel to this endpoint only; {@link Failure} if it does not connect in time. */
  public ManagedChannel channelTo(String endpoint) {
    ManagedChannel ch = tryDial(endpoint);
    if (ch == null) {
      throw new Failure("context deadline exceeded (" + endpoint + " did not answer)");
    }
    return ch;
  }

  public KVGrpc.KVBlockingStub kv() {
    return withDeadline(KVGrpc.newBlockingStub(channel()));
  }

  public LeaseGrpc.LeaseBlockingStub lease() {
    return withDeadline(LeaseGrpc.newBlockingStub(channel()));
  }

  public ClusterGrpc.ClusterBlockingStub cluster() {
    return withDeadline(ClusterGrpc.newBlockingStub(channel()));
  }

  public MaintenanceGrpc.MaintenanceBlockingStub maintenance(ManagedChannel ch) {
    return withDeadline(MaintenanceGrpc.newBlockingStub(ch));
  }

  /** Streams have no deadline: a watch or keep-alive runs until stopped. */
  public WatchGrpc.WatchStub watch() {
    return withToken(WatchGrpc.newStub(channel()));
  }

  public LeaseGrpc.LeaseStub leaseStreams() {
    return withToken(LeaseGrpc.newStub(channel()));
  }

  /** A deadline is absolute, so apply it just before each call. With --user, the token. */
  public <T extends AbstractStub<T>> T withDeadline(T stub) {
    return withToken(stub).withDeadlineAfter(commandTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** etcdctl's --user: authenticate (once, lazily) and send the token with every call. */
  public Clients authenticateAs(String user, String password) {
    this.auth = new ClientAuth(user, password);
    return this;
  }

  /** {@code stub} carrying the --user token, if any (authenticating on first use). */
  public <T extends AbstractStub<T>> T withToken(T stub) {
    return auth == null ? stub : auth.apply(stub, this::channel, commandTimeout);
  }

  /**
   * Whether a command that failed with {@code t} should run once more: with --user, on a token
   * the member no longer knows or an auth state that moved (a new token is fetched), as
   * clientv3 retries.
   */
  public boolean retryWithNewToken(Throwable t) {
    return auth != null && auth.refreshAfter(t);
  }

  public AuthGrpc.AuthBlockingStub auth() {
    return withDeadline(AuthGrpc.newBlockingStub(channel()));
  }

  @Override
  public void close() {
    for (ManagedChannel ch : open.values()) {
      ch.shutdownNow();
    }
    open.clear();
  }

  private ManagedChannel tryDial(String endpoint) {
    ManagedChannel cached = open.get(endpoint);
    if (cached != null) {
      return cached;
    }
    ManagedChannel ch;
    try {
      ch = dial(endpoint, tls);
    } catch (IllegalArgumentException e) {
      throw new Failure(e.getMessage()); // a TLS file missing or unreadable: say which
    }
    try {
      if (awaitReady(ch, dialTimeout)) {
        open.put(endpoint, ch);
        return ch;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ch.shutdownNow();
    return null;
  }

  /** Accepts {@code host:port} or {@code http://host:port}, like etcdctl; plain text. */
  public static ManagedChannel dial(String endpoint) {
    InetSocketAddress a = ServerConfig.parseAddress(endpoint);
    return ManagedChannelBuilder.forAddress(a.getHostString(), a.getPort()).usePlaintext().build();
  }

  // One context per set of flags: reading the files and building a context costs milliseconds,
  // and a bench dials many channels.
  private static final Map<ClientTls, SslContext> CONTEXTS =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Dials {@code host:port}, {@code http://host:port} or {@code https://host:port}: with TLS when
   * the endpoint is https or {@code tls} is not {@link ClientTls#NONE} (etcdctl's rule: any of
   * --cacert, --cert, --key, --insecure-skip-tls-verify means TLS), else plain text.
   *
   * @throws IllegalArgumentException if a TLS file is missing, unreadable or mismatched
   */
  public static ManagedChannel dial(String endpoint, ClientTls tls) {
    boolean https = endpoint.trim().regionMatches(true, 0, "https://", 0, 8);
    if (!https && !tls.enabled()) {
      return dial(endpoint);
    }
    SslContext context = CONTEXTS.computeIfAbsent(tls, ClientTls::sslContext);
    return GrpcClientTls.dial(ServerConfig.parseAddress(endpoint), context);
  }

  /**
   * Waits until the channel is READY. A refused connection shows up at once as
   * TRANSIENT_FAILURE, so a dead endpoint costs milliseconds, not the whole dial timeout.
   */
  static boolean awaitReady(ManagedChannel ch, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    ConnectivityState state = ch.getState(true);
    while (state != ConnectivityState.READY) {
      if (state == ConnectivityState.TRANSIENT_FAILURE || state == ConnectivityState.SHUTDOWN) {
        return false;
      }
      CountDownLatch changed = new CountDownLatch(1);
      ch.notifyWhenStateChanged(state, changed::countDown);
      long left = deadline - System.nanoTime();
      if (left <= 0 || !changed.await(left, TimeUnit.NANOSECONDS)) {
        return false;
      }
      state = ch.getState(true);
    }
    return true;
  }

  /** The text after {@code Error: }, as etcdctl (clientv3) would print it. */
  public static String errorMessage(Throwable t) {
    if (t instanceof Failure || t instanceof BadConnection) {
      return t.getMessage();
    }
    if (t instanceof StatusRuntimeException e) {
      Status s = e.getStatus();
      String desc = s.getDescription();
      if (desc != null && desc.startsWith("etcdserver:")) {
        return desc; // clientv3 turns etcd's known errors back into their plain text
      }
      if (s.getCode() == Status.Code.DEADLINE_EXCEEDED) {
        return "context deadline exceeded";
      }
      return "rpc error: code = " + goCodeName(s.getCode()) + " desc = "
          + (desc == null ? "" : desc);
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  // UNAVAILABLE -> Unavailable, DEADLINE_EXCEEDED -> DeadlineExceeded (Go's codes.Code names).
  private static String goCodeName(Status.Code code) {
    StringBuilder b = new StringBuilder();
    for (String part : code.name().split("_")) {
      b.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
    }
    return b.toString();
  }

  /** Splits a comma-separated --endpoints value. */
  public static List<String> splitEndpoints(String spec) {
    List<String> out = new ArrayList<>();
    for (String s : spec.split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return out;
  }
}
