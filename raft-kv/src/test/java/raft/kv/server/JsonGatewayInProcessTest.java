package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RangeRequest;

/**
 * etcd's JSON gateway on a real member's client port (in this JVM): HTTP/1.1 and gRPC on one
 * port, the README's curl example, errors and 404s as etcd's, /metrics /health /version there,
 * a watch streaming lines, a keep-alive stream that ends, and a stalled watch client that does
 * not make the member buffer its events (the watcher moves to the slow set instead, and catches
 * up once the client reads).
 */
class JsonGatewayInProcessTest {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;

  @Test
  void httpAndGrpcShareTheClientPort() throws Exception {
    try (InProcessCluster c = new InProcessCluster(1, 1, dir)) {
      c.awaitLeader();
      String url = "http://" + c.endpoints();
      HttpResponse<String> put = post(url + "/v3/kv/put", "{\"key\":\"Zm9v\",\"value\":\"YmFy\"}");
      assertEquals(200, put.statusCode(), put.body());
      assertTrue(put.body().matches("\\{\"header\":\\{\"cluster_id\":\"\\d+\",\"member_id\":"
          + "\"\\d+\",\"revision\":\"2\",\"raft_term\":\"\\d+\"}}"), put.body());
      ManagedChannel ch = ManagedChannelBuilder.forTarget(c.endpoints()).usePlaintext().build();
      try {
        assertEquals("bar", KVGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
            .range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("foo")).build())
            .getKvs(0).getValue().toStringUtf8());
        KVGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS).put(PutRequest
            .newBuilder().setKey(ByteString.copyFromUtf8("foo")).setValue(ByteString
                .copyFromUtf8("baz")).build());
      } finally {
        ch.shutdownNow();
      }
      HttpResponse<String> range = post(url + "/v3beta/kv/range", "{\"key\":\"Zm9v\"}");
      assertTrue(range.body().contains("\"kvs\":[{\"key\":\"Zm9v\",\"create_revision\":\"2\","
          + "\"mod_revision\":\"3\",\"version\":\"2\",\"value\":\"YmF6\"}],\"count\":\"1\""),
          range.body());
      assertEquals("application/grpc",
          range.headers().firstValue("Grpc-Metadata-Content-Type").orElse(""));
      // etcd's gateway routes /maintenance/hash to Hash (HashKV shares the path in rpc.proto).
      HttpResponse<String> hash = post(url + "/v3/maintenance/hash", "{}");
      assertEquals(200, hash.statusCode(), hash.body());
      assertTrue(hash.body().matches(".*\"revision\":\"3\".*\"hash\":\\d+}"), hash.body());
    }
  }

  @Test
  void errorsAndOtherPathsAsEtcd() throws Exception {
    try (InProcessCluster c = new InProcessCluster(1, 1, dir)) {
      c.awaitLeader();
      String url = "http://" + c.endpoints();
      HttpResponse<String> empty = post(url + "/v3/kv/put", "{\"value\":\"YmFy\"}");
      assertEquals(400, empty.statusCode());
      assertEquals("{\"error\":\"etcdserver: key is not provided\",\"message\":\"etcdserver: "
          + "key is not provided\",\"code\":3}", empty.body());
      HttpResponse<String> bad = post(url + "/v3/kv/put", "{bad");
      assertEquals(400, bad.statusCode());
      assertTrue(bad.body().endsWith(",\"code\":3}"), bad.body());
      HttpResponse<String> lease = post(url + "/v3/lease/revoke", "{\"ID\":1}");
      assertEquals(404, lease.statusCode());
      assertTrue(lease.body().contains("etcdserver: requested lease not found"), lease.body());
      HttpResponse<String> unknown = post(url + "/v3/kv/nothing", "{}");
      assertEquals(404, unknown.statusCode());
      assertEquals("Not Found\n", unknown.body());
      HttpResponse<String> getRange = send(HttpRequest.newBuilder(URI.create(url
          + "/v3/kv/range")).GET());
      assertEquals(405, getRange.statusCode());
      assertEquals("404 page not found\n", send(HttpRequest.newBuilder(URI.create(url
          + "/nope")).GET()).body());
      assertEquals("{\"health\":\"true\"}", send(HttpRequest.newBuilder(URI.create(url
          + "/health")).GET()).body());
      assertTrue(send(HttpRequest.newBuilder(URI.create(url + "/version")).GET()).body()
          .startsWith("{\"etcdserver\":\"3.4."));
      assertTrue(send(HttpRequest.newBuilder(URI.create(url + "/metrics")).GET()).body()
          .contains("\nprocess_resident_memory_bytes "));
    }
  }

  @Test
  void aWatchStreamsOneLinePerResponseAndAKeepAliveEnds() throws Exception {
    try (InProcessCluster c = new InProcessCluster(1, 1, dir)) {
      c.awaitLeader();
      String url = "http://" + c.endpoints();
      // Its own client: a stream given up half-read is no connection for the next request.
      HttpClient watcher = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpResponse<java.util.stream.Stream<String>> watch = watcher.send(HttpRequest.newBuilder(
          URI.create(url + "/v3/watch")).timeout(Duration.ofSeconds(30))
          .POST(HttpRequest.BodyPublishers.ofString("{\"create_request\":{\"key\":\"Zm9v\"}}"))
          .build(), HttpResponse.BodyHandlers.ofLines());
      var lines = watch.body().iterator();
      assertTrue(lines.next().matches("\\{\"result\":\\{\"header\":\\{.*},\"created\":true}}"));
      post(url + "/v3/kv/put", "{\"key\":\"Zm9v\",\"value\":\"YmFy\"}");
      String event = lines.next();
      assertTrue(event.contains("\"events\":[{\"kv\":{\"key\":\"Zm9v\",\"create_revision\":\"2\""
          + ",\"mod_revision\":\"2\",\"version\":\"1\",\"value\":\"YmFy\"}}]"), event);
      watch.body().close();
      String id = post(url + "/v3/lease/grant", "{\"TTL\":30}").body()
          .replaceAll(".*\"ID\":\"(\\d+)\".*", "$1");
      HttpResponse<String> ka = post(url + "/v3/lease/keepalive", "{\"ID\":\"" + id + "\"}");
      assertTrue(ka.body().matches("\\{\"result\":\\{\"header\":\\{.*},\"ID\":\"" + id
          + "\",\"TTL\":\"30\"}}\n"), ka.body());
    }
  }

  /**
   * A request pipelined behind a stream (here a keep-alive, which ends) is answered after it,
   * in order, as Go's server answers it. Before, it was dropped: its client waited for ever.
   */
  @Test
  void aRequestPipelinedBehindAStreamIsAnsweredWhenItEnds() throws Exception {
    try (InProcessCluster c = new InProcessCluster(1, 1, dir);
        Socket s = new Socket()) {
      c.awaitLeader();
      String url = "http://" + c.endpoints();
      String id = post(url + "/v3/lease/grant", "{\"TTL\":30}").body()
          .replaceAll(".*\"ID\":\"(\\d+)\".*", "$1");
      String[] hp = c.endpoints().split(":");
      s.connect(new java.net.InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 5000);
      s.setSoTimeout(30_000);
      String ka = "{\"ID\":\"" + id + "\"}";
      String range = "{\"key\":\"Zm9v\"}";
      s.getOutputStream().write(("POST /v3/lease/keepalive HTTP/1.1\r\nHost: x\r\n"
          + "Content-Length: " + ka.length() + "\r\n\r\n" + ka
          + "POST /v3/kv/range HTTP/1.1\r\nHost: x\r\nContent-Length: " + range.length()
          + "\r\n\r\n" + range).getBytes(StandardCharsets.US_ASCII));
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
          StandardCharsets.UTF_8));
      StringBuilder all = new StringBuilder();
      int statuses = 0;
      int length = -1;
      // The keep-alive's answer (chunked), then the range's status line and headers.
      for (int i = 0; i < 100 && !(statuses == 2 && length >= 0 && all.toString()
          .endsWith("\n\n")); i++) {
        String line = in.readLine();
        statuses += line.startsWith("HTTP/1.1 200 OK") ? 1 : 0;
        if (statuses == 2 && line.toLowerCase().startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).trim());
        }
        all.append(line).append('\n');
      }
      char[] body = new char[Math.max(0, length)];
      for (int n = 0, r; n < body.length && (r = in.read(body, n, body.length - n)) > 0; ) {
        n += r;
      }
      assertTrue(all.indexOf("\"TTL\":\"30\"") < all.lastIndexOf("HTTP/1.1 200 OK"), all
          .toString());
      assertTrue(new String(body).startsWith("{\"header\":"), all + new String(body));
    }
  }

  /**
   * A watch client that stops reading: its events must not pile up in the member. 400 puts of
   * 64 KiB (25 MiB) to the watched key; the watcher moves to the slow set (the in-process call
   * is not ready once the socket's buffers are full), and once the client reads every event
   * arrives, caught up from history.
   */
  @Test
  void aStalledWatchClientIsSlowNotBuffered() throws Exception {
    try (InProcessCluster c = new InProcessCluster(1, 1, dir);
        Socket s = new Socket()) {
      c.awaitLeader();
      String[] hp = c.endpoints().split(":");
      s.setReceiveBufferSize(4096);
      s.connect(new java.net.InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 5000);
      s.setSoTimeout(30_000);
      String body = "{\"create_request\":{\"key\":\"a2V5\"}}";
      OutputStream out = s.getOutputStream();
      out.write(("POST /v3/watch HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length()
          + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
          StandardCharsets.UTF_8));
      assertEquals("HTTP/1.1 200 OK", in.readLine());
      KvServer server = c.servers().get(0);
      ManagedChannel ch = ManagedChannelBuilder.forTarget(c.endpoints()).usePlaintext().build();
      try {
        var kv = KVGrpc.newBlockingStub(ch);
        ByteString value = ByteString.copyFrom(new byte[64 * 1024]);
        for (int i = 0; i < 400; i++) {
          kv.withDeadlineAfter(10, TimeUnit.SECONDS).put(PutRequest.newBuilder()
              .setKey(ByteString.copyFromUtf8("key")).setValue(value).build());
        }
      } finally {
        ch.shutdownNow();
      }
      assertTrue(server.watchHub().slowReport().movedToSlow() > 0,
          "the stalled HTTP watcher was never moved to the slow set");
      int events = 0;
      for (int lines = 0; lines < 10_000 && events < 400; lines++) {
        String line = in.readLine();
        events += line.split("\"mod_revision\"", -1).length - 1;
      }
      assertEquals(400, events);
    }
  }

  private static HttpResponse<String> post(String url, String body) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url))
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return HTTP.send(b.timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
