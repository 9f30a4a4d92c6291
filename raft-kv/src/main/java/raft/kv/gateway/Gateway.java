package raft.kv.gateway;

import io.grpc.Channel;
import io.grpc.ServiceDescriptor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import raft.kv.http.HttpRoutes;

/**
 * What the client port's HTTP/1.1 side serves: etcd's JSON gateway over {@code calls} (a
 * channel to this member's own gRPC services, with their interceptors: the same checks, errors
 * and metrics as a gRPC client gets, as etcd's gateway calls its own gRPC server), and the
 * metrics port's {@link HttpRoutes} (/metrics, /health, /version), as etcd serves them on its
 * client URLs too.
 */
public final class Gateway {
  /** The largest request body taken: base64 and JSON around the largest request. */
  private final int maxBodyBytes;
  final Channel calls;
  final Map<String, Routes.Route> routes;
  final HttpRoutes http;
  /** How long a connection may take to send a whole request (see GatewayHandler). */
  final Duration requestWait;
  /** nginx's client_header_timeout, client_body_timeout and keepalive_timeout are 60-75 s. */
  public static final Duration REQUEST_WAIT = Duration.ofSeconds(60);

  public Gateway(Channel calls, List<ServiceDescriptor> services, HttpRoutes http,
      int maxRequestBytes) {
    this(calls, services, http, maxRequestBytes, REQUEST_WAIT);
  }

  Gateway(Channel calls, List<ServiceDescriptor> services, HttpRoutes http,
      int maxRequestBytes, Duration requestWait) {
    this.calls = calls;
    this.requestWait = requestWait;
    this.routes = Routes.of(services);
    this.http = http;
    this.maxBodyBytes = (int) Math.min(Integer.MAX_VALUE - 1, 2L * maxRequestBytes + (1 << 20));
  }

  /** The client port's negotiator: gRPC and this gateway on one port. */
  public ClientPortNegotiator negotiator() {
    return negotiator(null, line -> { });
  }

  /**
   * The same over TLS with {@code tls} (null: plain text); a failed handshake is told to
   * {@code refusals} in a line.
   */
  public ClientPortNegotiator negotiator(
      io.grpc.netty.shaded.io.netty.handler.ssl.SslContext tls,
      java.util.function.Consumer<String> refusals) {
    return new ClientPortNegotiator(() -> new GatewayHandler(this), maxBodyBytes, tls,
        refusals);
  }
}
