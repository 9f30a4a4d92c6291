package raft.kv.http;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * go-grpc-prometheus's server metrics, which etcd exposes and its dashboards read:
 * {@code grpc_server_started_total}, {@code grpc_server_handled_total} (by status code),
 * {@code grpc_server_msg_received_total} and {@code grpc_server_msg_sent_total}, labelled
 * {@code grpc_type} (unary, client_stream, server_stream, bidi_stream), {@code grpc_service}
 * ({@code etcdserverpb.KV}), {@code grpc_method} ({@code Put}) and, for handled, {@code grpc_code}
 * in Go's spelling ({@code OK}, {@code Unavailable}, {@code DeadlineExceeded}...). A call the
 * client cancels counts as handled with {@code Canceled}, as go-grpc-prometheus sees it.
 */
public final class GrpcMetrics implements ServerInterceptor {
  // Go's names of the codes, by ordinal: worked out once, not on every call's close.
  private static final String[] GO_NAMES = goNames();
  // At most this many methods keep their data points here (the services register ~60).
  private static final int MAX_CACHED_METHODS = 1024;

  /** One method's data points, looked up once: each labelValues call built a label list. */
  private record Points(String[] labels, CounterDataPoint started, CounterDataPoint sent,
      CounterDataPoint received, AtomicReferenceArray<CounterDataPoint> handled) {}

  // By full method name. Each put looked its four data points up by label values, which
  // allocated about 1.1 KB per put on the leader (JFR, put-64): labels, lists, Go's code names.
  private final Map<String, Points> points = new ConcurrentHashMap<>();
  private final Counter started;
  private final Counter handled;
  private final Counter received;
  private final Counter sent;

  public GrpcMetrics(PrometheusRegistry registry) {
    String[] labels = {"grpc_type", "grpc_service", "grpc_method"};
    started = Counter.builder().name("grpc_server_started_total")
        .help("Total number of RPCs started on the server.").labelNames(labels)
        .register(registry);
    handled = Counter.builder().name("grpc_server_handled_total")
        .help("Total number of RPCs completed on the server, regardless of success or failure.")
        .labelNames("grpc_type", "grpc_service", "grpc_method", "grpc_code").register(registry);
    received = Counter.builder().name("grpc_server_msg_received_total")
        .help("Total number of RPC stream messages received on the server.").labelNames(labels)
        .register(registry);
    sent = Counter.builder().name("grpc_server_msg_sent_total")
        .help("Total number of gRPC stream messages sent by the server.").labelNames(labels)
        .register(registry);
  }

  /** go-grpc-prometheus's InitializeMetrics: every method and code shows, at 0, from the start. */
  public void initialize(List<ServerServiceDefinition> services) {
    for (ServerServiceDefinition s : services) {
      for (ServerMethodDefinition<?, ?> m : s.getMethods()) {
        String[] l = labels(m.getMethodDescriptor());
        started.initLabelValues(l);
        received.initLabelValues(l);
        sent.initLabelValues(l);
        for (Status.Code c : Status.Code.values()) {
          handled.initLabelValues(l[0], l[1], l[2], goName(c));
        }
      }
    }
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    Points p = points(call.getMethodDescriptor());
    p.started().inc();
    AtomicBoolean counted = new AtomicBoolean();
    ServerCall<Q, A> counting = new SimpleForwardingServerCall<>(call) {
      @Override
      public void sendMessage(A message) {
        p.sent().inc();
        super.sendMessage(message);
      }

      @Override
      public void close(Status status, Metadata trailers) {
        if (counted.compareAndSet(false, true)) {
          handled(p, status.getCode().ordinal()).inc();
        }
        super.close(status, trailers);
      }
    };
    return new SimpleForwardingServerCallListener<>(next.startCall(counting, headers)) {
      @Override
      public void onMessage(Q message) {
        p.received().inc();
        super.onMessage(message);
      }

      @Override
      public void onCancel() {
        if (counted.compareAndSet(false, true)) {
          handled(p, Status.Code.CANCELLED.ordinal()).inc(); // Go's "Canceled"
        }
        super.onCancel();
      }
    };
  }

  private Points points(MethodDescriptor<?, ?> m) {
    Points p = points.get(m.getFullMethodName());
    if (p != null) {
      return p;
    }
    String[] l = labels(m);
    p = new Points(l, started.labelValues(l), sent.labelValues(l), received.labelValues(l),
        new AtomicReferenceArray<>(GO_NAMES.length));
    if (points.size() < MAX_CACHED_METHODS) {
      points.put(m.getFullMethodName(), p);
    }
    return p;
  }

  /**
   * The handled data point of a code, made on first use as before (a code a method never ended
   * with shows only if initialize() made it). Racing threads get the same data point.
   */
  private CounterDataPoint handled(Points p, int code) {
    CounterDataPoint d = p.handled().get(code);
    if (d == null) {
      String[] l = p.labels();
      d = handled.labelValues(l[0], l[1], l[2], GO_NAMES[code]);
      p.handled().set(code, d);
    }
    return d;
  }

  private static String[] goNames() {
    Status.Code[] codes = Status.Code.values();
    String[] names = new String[codes.length];
    for (Status.Code c : codes) {
      names[c.ordinal()] = goName(c);
    }
    return names;
  }

  static String[] labels(MethodDescriptor<?, ?> m) {
    String service = m.getServiceName() == null ? "unknown" : m.getServiceName();
    String method = m.getBareMethodName() == null ? m.getFullMethodName() : m.getBareMethodName();
    return new String[] {type(m.getType()), service, method};
  }

  static String type(MethodDescriptor.MethodType t) {
    return switch (t) {
      case UNARY -> "unary";
      case CLIENT_STREAMING -> "client_stream";
      case SERVER_STREAMING -> "server_stream";
      case BIDI_STREAMING -> "bidi_stream";
      case UNKNOWN -> "unknown";
    };
  }

  /** Go's codes.Code.String(): CamelCase, and "Canceled" with one l. */
  static String goName(Status.Code c) {
    if (c == Status.Code.CANCELLED) {
      return "Canceled";
    }
    StringBuilder b = new StringBuilder();
    for (String word : c.name().split("_")) {
      b.append(word.charAt(0)).append(word.substring(1).toLowerCase(java.util.Locale.ROOT));
    }
    return b.toString().replace("Ok", "OK");
  }
}
