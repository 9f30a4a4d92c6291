package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.MaintenanceGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.StatusRequest;
import raft.kv.api.etcdserverpb.StatusResponse;

/**
 * Issue 16: one version string (etcd 3.4.23's, the release whose API we follow) for Status,
 * /version and the version metrics; and a dbSize that is the store's size, not the WAL's.
 */
class VersionAndDbSizeTest {
  @TempDir Path dir;

  @Test
  void statusHttpVersionAndMetricsNameOneVersionAndTheStoresSize() throws Exception {
    assertEquals("3.4.23", MaintenanceService.VERSION);
    try (InProcessCluster c = InProcessCluster.withHttp(1, 1, dir, 0, line -> { })) {
      c.awaitLeader();
      ManagedChannel ch = ManagedChannelBuilder.forTarget(c.endpoints()).usePlaintext().build();
      try {
        for (int i = 0; i < 3; i++) {
          KVGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS).put(PutRequest
              .newBuilder().setKey(ByteString.copyFromUtf8("k" + i))
              .setValue(ByteString.copyFromUtf8("v")).build());
        }
        StatusResponse s = MaintenanceGrpc.newBlockingStub(ch)
            .withDeadlineAfter(10, TimeUnit.SECONDS).status(StatusRequest.getDefaultInstance());
        String metrics = get(c.metricsUrl(1) + "/metrics");
        assertEquals(MaintenanceService.VERSION, s.getVersion());
        assertEquals("{\"etcdserver\":\"" + MaintenanceService.VERSION
            + "\",\"etcdcluster\":\"3.4.0\"}", get(c.metricsUrl(1) + "/version"));
        assertTrue(metrics.contains("etcd_server_version{server_version=\""
            + MaintenanceService.VERSION + "\"} 1"), metrics);
        assertTrue(metrics.contains("etcd_cluster_version{cluster_version=\"3.4\"} 1"));
        // Three keys: a few hundred bytes, not the WAL's preallocated 64 MiB segment.
        assertEquals(s.getDbSizeInUse(), s.getDbSize());
        assertTrue(s.getDbSize() > 0 && s.getDbSize() < 64 * 1024, "dbSize " + s.getDbSize());
        assertEquals((double) s.getDbSize(), gauge(metrics, "etcd_mvcc_db_total_size_in_bytes"));
      } finally {
        ch.shutdownNow();
      }
    }
  }

  private static String get(String url) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private static double gauge(String metrics, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(metrics);
    assertTrue(m.find(), name + " in\n" + metrics);
    return Double.parseDouble(m.group(1));
  }
}
