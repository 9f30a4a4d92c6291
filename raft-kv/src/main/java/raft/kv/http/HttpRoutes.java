package raft.kv.http;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What each path answers, in etcd 3.4's words (etcdhttp): {@code /metrics} in Prometheus's text
 * format, {@code /health} ({@link Health}), {@code /version}; any other path 404 ("404 page not
 * found", Go's), a known path asked with another method than GET 405 with {@code Allow: GET}.
 * Plain Java, so that a test asks it without a socket; {@link HttpHandler} carries it over HTTP.
 */
public final class HttpRoutes {
  static final String TEXT = "text/plain; charset=utf-8";

  /** One answer: status, content type, body, extra headers. */
  public record Response(int status, String contentType, byte[] body,
      Map<String, String> headers) {
    public static Response text(int status, String body) {
      return new Response(status, TEXT, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final PrometheusRegistry registry;
  private final PrometheusTextFormatWriter format = PrometheusTextFormatWriter.create();
  private final Health health;
  private final String versionJson;

  /** {@code serverVersion} is Maintenance.Status's; the cluster version is etcd 3.4's. */
  public HttpRoutes(PrometheusRegistry registry, Health health, String serverVersion) {
    this.registry = registry;
    this.health = health;
    this.versionJson = "{\"etcdserver\":\"" + serverVersion + "\",\"etcdcluster\":\""
        + clusterVersion(serverVersion) + "\"}";
  }

  /** etcd 3.4's /version names the cluster version major.minor.0 ("3.4.0"). */
  static String clusterVersion(String serverVersion) {
    return EtcdMetrics.clusterVersion(serverVersion) + ".0";
  }

  /** Never blocks: /health completes once its read answers or times out. */
  public CompletableFuture<Response> answer(String method, String uri) {
    URI u;
    try {
      u = URI.create(uri);
    } catch (IllegalArgumentException e) {
      return done(Response.text(400, "400 Bad Request"));
    }
    String path = u.getRawPath() == null ? "" : u.getRawPath();
    if (!Set.of("/metrics", "/health", "/version").contains(path)) {
      return done(Response.text(404, "404 page not found\n"));
    }
    if (!method.equals("GET")) {
      return done(new Response(405, TEXT, "Method Not Allowed\n".getBytes(StandardCharsets.UTF_8),
          Map.of("Allow", "GET")));
    }
    return switch (path) {
      case "/metrics" -> done(metrics());
      case "/version" -> done(new Response(200, "application/json",
          versionJson.getBytes(StandardCharsets.UTF_8), Map.of()));
      default -> health(u.getRawQuery());
    };
  }

  private Response metrics() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
    try {
      format.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return new Response(200, format.getContentType(), out.toByteArray(), Map.of());
  }

  /** etcd's 503 goes through Go's http.Error, which adds a newline; its 200 does not. */
  private CompletableFuture<Response> health(String query) {
    Query q = Query.parse(query);
    return health.check(q.serializable(), q.exclude()).thenApply(r -> r.healthy()
        ? Response.text(200, r.body()) : Response.text(503, r.body() + "\n"));
  }

  /** {@code ?serializable=true&exclude=NOSPACE} (exclude may repeat), as etcd parses them. */
  record Query(boolean serializable, Set<String> exclude) {
    static Query parse(String raw) {
      boolean serializable = false;
      Set<String> exclude = new HashSet<>();
      if (raw != null) {
        for (String pair : raw.split("&")) {
          String[] kv = pair.split("=", 2);
          String key;
          String value;
          try {
            key = decode(kv[0]);
            value = kv.length > 1 ? decode(kv[1]) : "";
          } catch (IllegalArgumentException badEscape) {
            continue; // Go's url.ParseQuery skips a pair it cannot decode and keeps the rest
          }
          if (key.equals("serializable")) {
            serializable = value.equals("true");
          } else if (key.equals("exclude")) {
            exclude.add(value);
          }
        }
      }
      return new Query(serializable, exclude);
    }

    private static String decode(String s) {
      return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
  }

  private static CompletableFuture<Response> done(Response r) {
    return CompletableFuture.completedFuture(r);
  }
}
