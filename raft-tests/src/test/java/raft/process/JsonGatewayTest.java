package raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * etcd's JSON gateway: the same HTTP/1.1 requests to real etcd 3.4 (one member, ports 2619 and
 * 2620) and to our three members (port offset 80), in the same order from empty stores, so
 * revisions, versions and values must be equal; the answers are compared field by field (the
 * same names, JSON types and values), except the values that differ by nature (ids, terms, raft
 * indexes, sizes, the version string), whose presence and type are still compared. Then Debian's
 * python3-etcd3gw against both, and etcdctl check datascale against ours (it reads
 * process_resident_memory_bytes from /metrics at the client URL).
 */
class JsonGatewayTest {
  private static final int ETCD_CLIENT = 2379 + 240;
  private static final int ETCD_PEER = 2380 + 240;
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  /** Values that differ between two clusters by nature: compared by presence and type. */
  private static final Set<String> NATURE = Set.of("cluster_id", "member_id", "raft_term", "ID",
      "leader", "raftIndex", "raftTerm", "raftAppliedIndex", "dbSize", "dbSizeInUse", "version",
      "name", "peerURLs", "clientURLs", "TTL", "watch_id");

  /** One answer: status and body. */
  record Answer(int status, String body) {}

  @Test
  @DisplayName("issue 16: the JSON gateway answers as etcd 3.4's, on the client port")
  void sameAnswersAsEtcd() throws Exception {
    Preconditions.requireEtcdctl();
    Path dir = LocalCluster.REPO.resolve("raft-tests/target/json-gateway-etcd");
    deleteTree(dir);
    String etcd = "http://127.0.0.1:" + ETCD_CLIENT;
    try (MemberProcess e = MemberProcess.etcd(dir, ETCD_CLIENT, ETCD_PEER);
         LocalCluster ours = new LocalCluster(3, 80, "gateway").start()) {
      awaitHealthy(etcd, e);
      String us = "http://" + ours.endpoint(1);
      compareKv(etcd, us);
      compareLeases(etcd, us);
      compareStreamsAndOthers(etcd, us);
      etcd3gw(etcd);
      etcd3gw(us);
      LocalCluster.Result scale = LocalCluster.run(List.of("etcdctl", "--endpoints="
          + ours.endpoints(), "check", "datascale", "--load=s"), null, 90);
      assertTrue(scale.out().contains("PASS: Approximate system memory used"), scale.out());
    }
  }

  private static void compareKv(String etcd, String us) throws Exception {
    same(etcd, us, "/v3/kv/put", "{\"key\":\"Zm9v\",\"value\":\"YmFy\"}"); // the README's
    same(etcd, us, "/v3/kv/put", "{\"key\":\"Zm9v\",\"value\":\"YmFy\",\"prev_kv\":true}");
    same(etcd, us, "/v3/kv/range", "{\"key\":\"Zm9v\"}");
    same(etcd, us, "/v3beta/kv/range", "{\"key\":\"Zm9v\",\"serializable\":true}");
    same(etcd, us, "/v3/kv/range", "{\"key\":\"bm9uZQ==\"}");
    same(etcd, us, "/v3/kv/range", "{\"key\":\"AA==\",\"range_end\":\"AA==\",\"count_only\":"
        + "true}");
    same(etcd, us, "/v3/kv/put", "{\"value\":\"YmFy\"}"); // 400: key is not provided
    same(etcd, us, "/v3/kv/range", "{\"key\":\"Zm9v\",\"revision\":\"100\"}"); // future rev
    same(etcd, us, "/v3/kv/txn", "{\"compare\":[{\"key\":\"Zm9v\",\"result\":\"EQUAL\","
        + "\"target\":\"CREATE\",\"create_revision\":\"0\"}],\"success\":[{\"request_range\":"
        + "{\"key\":\"Zm9v\"}}],\"failure\":[{\"request_put\":{\"key\":\"Zm9v\",\"value\":"
        + "\"YmF6\"}},{\"request_range\":{\"key\":\"Zm9v\"}}]}");
    same(etcd, us, "/v3/kv/put", "{\"key\":\"YmFy\",\"value\":\"MQ==\"}");
    same(etcd, us, "/v3/kv/deleterange", "{\"key\":\"YmFy\",\"prev_kv\":true}");
    same(etcd, us, "/v3/kv/compaction", "{\"revision\":\"3\",\"physical\":true}");
    same(etcd, us, "/v3/kv/range", "{\"key\":\"Zm9v\",\"revision\":\"2\"}"); // compacted
    same(etcd, us, "/v3/kv/nothing", "{}"); // 404 Not Found
    same(etcd, us, "/v3alpha/kv/range", "{}"); // 404 page not found: 3.4 has no v3alpha
    sameBadJson(etcd, us, "/v3/kv/put"); // 400, code 3
    for (String base : List.of(etcd, us)) {
      assertEquals(405, send(HttpRequest.newBuilder(URI.create(base + "/v3/kv/range")).GET())
          .status(), base);
    }
  }

  private static void compareLeases(String etcd, String us) throws Exception {
    Answer eg = post(etcd, "/v3/lease/grant", "{\"TTL\":30}");
    Answer og = post(us, "/v3/lease/grant", "{\"TTL\":30}");
    compare("/v3/lease/grant", eg, og);
    String eid = id(eg.body());
    String oid = id(og.body());
    same(etcd, us, "/v3/kv/put", "{\"key\":\"bGVhc2Vk\",\"value\":\"dg==\",\"lease\":%s}",
        eid, oid);
    same(etcd, us, "/v3/lease/timetolive", "{\"ID\":%s,\"keys\":true}", eid, oid);
    same(etcd, us, "/v3/kv/lease/leases", "{}");
    same(etcd, us, "/v3/lease/keepalive", "{\"ID\":%s}", eid, oid); // ends, as etcd's
    same(etcd, us, "/v3/kv/lease/revoke", "{\"ID\":%s}", eid, oid);
    same(etcd, us, "/v3/lease/revoke", "{\"ID\":%s}", eid, oid); // 404: not found
    same(etcd, us, "/v3/lease/timetolive", "{\"ID\":\"1\"}"); // TTL -1
  }

  private static void compareStreamsAndOthers(String etcd, String us) throws Exception {
    assertEquals(shape(watchOnePut(etcd)), shape(watchOnePut(us)));
    same(etcd, us, "/v3/maintenance/status", "{}");
    same(etcd, us, "/v3/cluster/member/list", "{}");
    // etcd 3.4's Alarm answers without a header (its gRPC answer has none either); ours has
    // one, a difference of the gRPC service, not of the gateway: compared without it.
    Answer ea = post(etcd, "/v3/maintenance/alarm", "{}");
    Answer oa = post(us, "/v3/maintenance/alarm", "{}");
    JsonObject alarms = JsonParser.parseString(oa.body()).getAsJsonObject();
    alarms.remove("header");
    compare("/v3/maintenance/alarm", ea, new Answer(oa.status(), alarms.toString()));
    sameBadJson(etcd, us, "/v3/watch"); // 500, code 2: a stream's body that does not parse
    for (String base : List.of(etcd, us)) {
      Answer metrics = send(HttpRequest.newBuilder(URI.create(base + "/metrics")).GET());
      assertTrue(metrics.body().contains("\nprocess_resident_memory_bytes "), base);
      assertEquals(new Answer(200, "{\"health\":\"true\"}"),
          send(HttpRequest.newBuilder(URI.create(base + "/health")).GET()), base);
      assertTrue(send(HttpRequest.newBuilder(URI.create(base + "/version")).GET()).body()
          .matches("\\{\"etcdserver\":\"3\\.4\\.\\d+\",\"etcdcluster\":\"3\\.4\\.0\"}"), base);
    }
  }

  /** A body that is not JSON: the same status and code; the parser's words are Go's there. */
  private static void sameBadJson(String etcd, String us, String path) throws Exception {
    Answer e = post(etcd, path, "{bad");
    Answer o = post(us, path, "{bad");
    assertEquals(e.status(), o.status(), path + ": etcd " + e + ", ours " + o);
    JsonObject eo = JsonParser.parseString(e.body()).getAsJsonObject();
    JsonObject oo = JsonParser.parseString(o.body()).getAsJsonObject();
    assertEquals(eo.keySet(), oo.keySet(), o.body());
    assertEquals(eo.get("code"), oo.get("code"), o.body());
    assertEquals(oo.get("error"), oo.get("message"), o.body());
  }

  /** A watch's created line, then the line of a put made after it, as grpc-gateway streams. */
  private static String watchOnePut(String base) throws Exception {
    HttpResponse<java.util.stream.Stream<String>> w = HTTP.send(HttpRequest.newBuilder(
        URI.create(base + "/v3/watch")).timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString("{\"create_request\":{\"key\":\"d2F0Y2hlZA==\","
            + "\"prev_kv\":true}}")).build(), HttpResponse.BodyHandlers.ofLines());
    try (var lines = w.body()) {
      var it = lines.iterator();
      String created = it.next();
      post(base, "/v3/kv/put", "{\"key\":\"d2F0Y2hlZA==\",\"value\":\"djE=\"}");
      return "[" + created + "," + it.next() + "]";
    }
  }

  /** The same request to both (with each one's lease id), compared field by field. */
  private static Answer same(String etcd, String us, String path, String template, String eid,
      String oid) throws Exception {
    Answer e = post(etcd, path, String.format(template, "\"" + eid + "\""));
    Answer o = post(us, path, String.format(template, "\"" + oid + "\""));
    compare(path, e, o);
    return e;
  }

  private static Answer same(String etcd, String us, String path, String body) throws Exception {
    Answer e = post(etcd, path, body);
    Answer o = post(us, path, body);
    compare(path + " " + body, e, o);
    return e;
  }

  private static void compare(String what, Answer etcd, Answer ours) {
    assertEquals(etcd.status(), ours.status(), what + ": etcd " + etcd + ", ours " + ours);
    if (etcd.body().startsWith("{")) {
      assertEquals(shape(etcd.body()), shape(ours.body()), what + ": etcd " + etcd.body()
          + "\nours " + ours.body());
    } else {
      assertEquals(etcd.body(), ours.body(), what);
    }
  }

  /**
   * A JSON answer (or newline-delimited answers) with the values that differ by nature replaced
   * by their JSON type, and each array cut to its first element (etcd has one member, we three).
   */
  static String shape(String body) {
    StringBuilder out = new StringBuilder();
    for (String line : body.split("\n")) {
      if (!line.isBlank()) {
        out.append(shape(JsonParser.parseString(line), false)).append('\n');
      }
    }
    return out.toString();
  }

  private static JsonElement shape(JsonElement e, boolean nature) {
    if (e.isJsonObject()) {
      JsonObject o = new JsonObject();
      Map<String, JsonElement> sorted = new TreeMap<>(e.getAsJsonObject().asMap());
      sorted.forEach((k, v) -> o.add(k, shape(v, NATURE.contains(k))));
      return o;
    }
    if (e.isJsonArray()) {
      JsonArray a = new JsonArray();
      if (!e.getAsJsonArray().isEmpty()) {
        a.add(shape(e.getAsJsonArray().get(0), nature));
      }
      return a;
    }
    if (nature && e.isJsonPrimitive()) {
      var p = e.getAsJsonPrimitive();
      return new com.google.gson.JsonPrimitive(p.isString() ? "<string>"
          : p.isNumber() ? "<number>" : "<boolean>");
    }
    return e;
  }

  private static String id(String json) {
    return JsonParser.parseString(json).getAsJsonObject().get("ID").getAsString();
  }

  /** Debian's python3-etcd3gw: put, get, a watch seeing a later put, a lease and its key. */
  private static void etcd3gw(String base) throws Exception {
    Path program = LocalCluster.REPO.resolve("raft-tests/src/test/resources/etcd3gw-smoke.py");
    URI u = URI.create(base);
    LocalCluster.Result r = LocalCluster.run(List.of("/usr/bin/python3", program.toString(),
        u.getHost(), String.valueOf(u.getPort())), null, 90);
    assertTrue(r.exit() == 0 && r.out().endsWith("ok\n"), base + ":\n" + r.out()
        + "\n(scripts/install-etcd3gw installs python3-etcd3gw)");
  }

  private static Answer post(String base, String path, String body) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + path))
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private static Answer send(HttpRequest.Builder b) throws Exception {
    HttpResponse<String> r = HTTP.send(b.timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body());
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    if (Files.exists(dir)) {
      try (var files = Files.walk(dir)) {
        for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(f);
        }
      }
    }
  }

  private static void awaitHealthy(String etcd, MemberProcess e) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (send(HttpRequest.newBuilder(URI.create(etcd + "/health")).GET()).status() == 200) {
          return;
        }
      } catch (java.io.IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("etcd did not become healthy:\n" + e.logText());
  }
}
