package raft.jepsen.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import raft.kv.api.etcdserverpb.AuthGrpc;
import raft.kv.api.etcdserverpb.AuthenticateRequest;

/**
 * A {@link Dialer} whose channels carry a user's token on every call, as etcd's clients do
 * (metadata {@code token}), over the transport of another dialer (plain or TLS). Tokens are
 * etcd's simple tokens: one per endpoint, asked of that member (its own Authenticate entry has
 * applied there when it answers), and dropped when the member answers "invalid auth token" (a
 * restarted member has forgotten every token), so the next call authenticates again.
 *
 * <p>A call that cannot get a token fails before anything is sent, with UNAUTHENTICATED (or,
 * when the member refused the connection, with that refusal itself): the harness counts it,
 * like the server's own auth refusals, as certainly not applied. The
 * password lives only in this object's memory. Thread-safe; authenticating blocks the calling
 * thread for at most {@link #AUTH_DEADLINE_MILLIS}.
 */
public final class AuthDialer implements Dialer {
  static final long AUTH_DEADLINE_MILLIS = 3000;
  private static final Metadata.Key<String> TOKEN =
      Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER);

  private final Dialer transport;
  private final String user;
  private final String password;
  private final Map<String, String> tokens = new ConcurrentHashMap<>();

  public AuthDialer(Dialer transport, String user, String password) {
    this.transport = transport;
    this.user = user;
    this.password = password;
  }

  @Override
  public ManagedChannel dial(String endpoint) {
    ManagedChannel ch = transport.dial(endpoint);
    return new InterceptedChannel(ch, ClientInterceptors.intercept(ch, new Attach(endpoint,
        ch)));
  }

  /**
   * This endpoint's token, asked for if there is none, over the caller's own channel (no new
   * connection; a channel backing off after a refused connection fails at once, as before).
   */
  private String token(String endpoint, Channel raw) {
    String t = tokens.get(endpoint);
    if (t != null) {
      return t;
    }
    try {
      t = AuthGrpc.newBlockingStub(raw).withDeadlineAfter(AUTH_DEADLINE_MILLIS,
          TimeUnit.MILLISECONDS).authenticate(AuthenticateRequest.newBuilder().setName(user)
          .setPassword(password).build()).getToken();
    } catch (StatusRuntimeException e) {
      if (Kv.neverConnected(e)) {
        throw e; // a member that is down: the same refusal (and pause) as without auth
      }
      // Short and endpoint-free: the harness counts refusals by their text.
      Status s = e.getStatus();
      String why = s.getDescription() != null && s.getDescription().startsWith("etcdserver:")
          ? " " + s.getDescription() : "";
      throw Status.UNAUTHENTICATED.withDescription("jepsen: could not authenticate: "
          + s.getCode() + why).withCause(e).asRuntimeException();
    }
    tokens.put(endpoint, t);
    return t;
  }

  static boolean isInvalidToken(Status s) {
    return s.getCode() == Status.Code.UNAUTHENTICATED && s.getDescription() != null
        && s.getDescription().contains("invalid auth token");
  }

  /** Puts the token on each call; forgets it when the member no longer knows it. */
  private final class Attach implements ClientInterceptor {
    private final String endpoint;
    private final Channel raw; // the channel under the interceptor: Authenticate needs no token

    Attach(String endpoint, Channel raw) {
      this.endpoint = endpoint;
      this.raw = raw;
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method,
        CallOptions options, Channel next) {
      String token;
      try {
        token = token(endpoint, raw);
      } catch (StatusRuntimeException e) {
        return new Refused<>(e.getStatus());
      }
      return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method,
          options)) {
        @Override
        public void start(Listener<R> listener, Metadata headers) {
          headers.put(TOKEN, token);
          super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(
              listener) {
            @Override
            public void onClose(Status status, Metadata trailers) {
              if (isInvalidToken(status)) {
                tokens.remove(endpoint, token);
              }
              super.onClose(status, trailers);
            }
          }, headers);
        }
      };
    }
  }

  /** A call refused before it is sent: closes with the status as soon as it is started. */
  private static final class Refused<Q, R> extends ClientCall<Q, R> {
    private final Status status;

    Refused(Status status) {
      this.status = status;
    }

    @Override
    public void start(Listener<R> listener, Metadata headers) {
      listener.onClose(status, new Metadata());
    }

    @Override
    public void request(int n) {}

    @Override
    public void cancel(String message, Throwable cause) {}

    @Override
    public void halfClose() {}

    @Override
    public void sendMessage(Q message) {}
  }
}
