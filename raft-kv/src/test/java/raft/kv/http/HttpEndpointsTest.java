package raft.kv.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.api.etcdserverpb.AlarmRequest;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.MaintenanceGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.server.InProcessCluster;

/**
 * /health, /version and /metrics of real members in this JVM (runtime, WAL, gRPC, the Netty
 * HTTP server) over real HTTP: etcd 3.4's answers with a leader, without one, with the NOSPACE
 * alarm raised and with {@code ?exclude=NOSPACE}, and {@code ?serializable=true} skipping the
 * linearizable read (seen in the ReadIndex count).
 */
class HttpEndpointsTest {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;

  @Test
  void aMemberWithALeaderAnswersAsEtcd() throws Exception {
    try (InProcessCluster c = InProcessCluster.withHttp(1, 1, dir, 0, line -> { })) {
      c.awaitLeader();
      String url = c.metricsUrl(1);
      HttpResponse<String> health = get(url + "/health");
      assertEquals(200, health.statusCode());
      assertEquals("{\"health\":\"true\"}", health.body());
      assertEquals("{\"etcdserver\":\"3.4.23\",\"etcdcluster\":\"3.4.0\"}",
          get(url + "/version").body());
      HttpResponse<String> missing = get(url + "/nope");
      assertEquals(404, missing.statusCode());
      assertEquals("404 page not found\n", missing.body());
      HttpResponse<String> post = send(HttpRequest.newBuilder(URI.create(url + "/health"))
          .POST(HttpRequest.BodyPublishers.noBody()));
      assertEquals(405, post.statusCode());
      assertEquals("GET", post.headers().firstValue("Allow").orElse(""));
      HttpResponse<String> metrics = get(url + "/metrics");
      assertTrue(metrics.headers().firstValue("Content-Type").orElse("")
          .startsWith("text/plain; version=0.0.4"), metrics.headers().toString());
      assertEquals(1.0, value(metrics.body(), "etcd_server_has_leader"));
      assertEquals(1.0, value(metrics.body(), "etcd_server_is_leader"));
      assertTrue(metrics.body().contains("# TYPE process_cpu_seconds_total counter"));
      assertTrue(metrics.body().contains("# TYPE jvm_memory_used_bytes gauge"));
      assertTrue(value(metrics.body(), JvmAllocationMetrics.ALLOCATED) > 0);
      assertTrue(value(metrics.body(), JvmAllocationMetrics.GC_PAUSE) >= 0);
    }
  }

  @Test
  void connectionsPastTheLimitAreClosedAndTheServerGoesOn() throws Exception {
    try (InProcessCluster c = InProcessCluster.withHttp(1, 1, dir, 0, line -> { })) {
      c.awaitLeader();
      java.net.InetSocketAddress a = c.servers().get(0).metricsAddresses().get(0);
      java.util.List<java.net.Socket> held = new java.util.ArrayList<>();
      try {
        for (int i = 0; i <= MetricsHttpServer.MAX_CONNECTIONS; i++) {
          held.add(new java.net.Socket(a.getAddress(), a.getPort()));
        }
        java.net.Socket extra = held.get(MetricsHttpServer.MAX_CONNECTIONS);
        extra.setSoTimeout(10_000);
        assertEquals(-1, extra.getInputStream().read(), "the one past the limit is closed");
      } finally {
        for (java.net.Socket s : held) {
          s.close();
        }
      }
      // The held ones are freed once the server sees them closed (its event loop may not have
      // yet when the next connection arrives): then a new request gets through. Bounded in
      // time, not in tries: a refused try returns at once, and a slow machine may need many.
      HttpResponse<String> health = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      for (int i = 0; i < 100_000 && health == null && System.nanoTime() < deadline; i++) {
        try {
          health = get(c.metricsUrl(1) + "/health");
        } catch (java.io.IOException closedStill) {
          // the server had not seen enough closes yet
        }
      }
      assertEquals(200, health == null ? -1 : health.statusCode());
    }
  }

  @Test
  void serializableSkipsTheLinearizableRead() throws Exception {
    try (InProcessCluster c = InProcessCluster.withHttp(1, 1, dir, 0, line -> { })) {
      c.awaitLeader();
      String url = c.metricsUrl(1);
      assertEquals(200, get(url + "/health").statusCode()); // the first read, out of the way
      double reads = readsConfirmed(url);
      assertEquals(200, get(url + "/health?serializable=true").statusCode());
      assertEquals(reads, readsConfirmed(url), "a serializable check reads nothing");
      assertEquals(200, get(url + "/health").statusCode());
      assertEquals(reads + 1, readsConfirmed(url), "a plain check makes one ReadIndex read");
    }
  }

  @Test
  void withoutALeaderEveryCheckIsFalse() throws Exception {
    // One of three members running: no quorum, never a leader.
    try (InProcessCluster c = InProcessCluster.withHttp(3, 1, dir, 0, line -> { })) {
      String url = c.metricsUrl(1);
      for (String q : new String[] {"", "?serializable=true", "?exclude=NOSPACE"}) {
        HttpResponse<String> r = get(url + "/health" + q);
        assertEquals(503, r.statusCode(), q);
        assertEquals("{\"health\":\"false\",\"reason\":\"RAFT NO LEADER\"}\n", r.body(), q);
      }
      assertEquals(0.0, value(get(url + "/metrics").body(), "etcd_server_has_leader"));
    }
  }

  @Test
  void theNoSpaceAlarmMakesItFalseUnlessExcluded() throws Exception {
    StringBuffer log = new StringBuffer();
    try (InProcessCluster c = InProcessCluster.withHttp(1, 1, dir, 64 * 1024,
        line -> log.append(line).append('\n'))) {
      c.awaitLeader();
      fillUntilNoSpace(c.endpoints());
      String url = c.metricsUrl(1);
      HttpResponse<String> r = get(url + "/health");
      assertEquals(503, r.statusCode());
      assertEquals("{\"health\":\"false\",\"reason\":\"ALARM NOSPACE\"}\n", r.body());
      assertEquals(503, get(url + "/health?serializable=true").statusCode());
      HttpResponse<String> excluded = get(url + "/health?exclude=NOSPACE");
      assertEquals(200, excluded.statusCode());
      assertEquals("{\"health\":\"true\"}", excluded.body());
      assertTrue(log.toString().contains("/health error due to memberID:1 alarm:NOSPACE"),
          "etcd's reason goes to the member's log");
      String metrics = get(url + "/metrics").body();
      for (String family : new String[] {"grpc_server_msg_received_total",
          "grpc_server_msg_sent_total", "grpc_server_started_total"}) {
        assertTrue(putCount(metrics, family) > 1, family + " counts the puts");
      }
    }
  }

  /**
   * Puts 8 KiB values until the quota refuses one, then asks for the alarms until the raised
   * one is applied (each ask is linearizable, so it waits for the log by itself).
   */
  private static void fillUntilNoSpace(String endpoint) {
    ManagedChannel ch = ManagedChannelBuilder.forTarget(endpoint).usePlaintext().build();
    try {
      KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(ch);
      for (int i = 0; i < 200; i++) {
        try {
          kv.withDeadlineAfter(10, TimeUnit.SECONDS).put(PutRequest.newBuilder()
              .setKey(ByteString.copyFromUtf8("k" + i))
              .setValue(ByteString.copyFromUtf8("v".repeat(8192))).build());
        } catch (StatusRuntimeException refused) {
          break;
        }
      }
      MaintenanceGrpc.MaintenanceBlockingStub m = MaintenanceGrpc.newBlockingStub(ch);
      for (int i = 0; i < 50; i++) {
        if (!m.withDeadlineAfter(10, TimeUnit.SECONDS).alarm(AlarmRequest.getDefaultInstance())
            .getAlarmsList().isEmpty()) {
          return;
        }
      }
      throw new AssertionError("the NOSPACE alarm was never raised");
    } finally {
      ch.shutdownNow();
    }
  }

  private static double readsConfirmed(String url) throws Exception {
    return value(get(url + "/metrics").body(), "raftkv_read_index_batch_size_sum");
  }

  /** A unary KV Put family's value in Prometheus's text format. */
  private static double putCount(String text, String family) {
    Matcher m = Pattern.compile("(?m)^" + family + "\\{([^}]*)\\} (\\S+)$").matcher(text);
    double n = 0;
    while (m.find()) {
      if (m.group(1).contains("grpc_method=\"Put\"")
          && m.group(1).contains("grpc_service=\"etcdserverpb.KV\"")) {
        n += Double.parseDouble(m.group(2));
      }
    }
    return n;
  }

  /** The value of an unlabelled sample in Prometheus's text format. */
  static double value(String text, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(text);
    assertTrue(m.find(), name + " missing from:\n" + text);
    return Double.parseDouble(m.group(1));
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url)));
  }

  private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return HTTP.send(b.timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
