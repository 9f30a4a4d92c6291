package raft.kv.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.transport.LoopbackPorts;

/** The view's web server: the page, the server-sent frames, the actions, who may call. */
class ViewServerTest {
  private ViewServer server;
  private int port;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    server = new ViewServer((verb, body) -> CompletableFuture.completedFuture(
        "{\"ok\":true,\"output\":\"" + verb + " " + body.replace("\"", "'") + "\"}"),
        () -> List.of("event: frame\ndata: {\"hello\":1}\n\n"));
    port = LoopbackPorts.next().getPort();
    server.start(port);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("serves index.html at /, the page's files, and 404 for anything else")
  void staticFiles() throws Exception {
    HttpResponse<String> index = get("/");
    assertEquals(200, index.statusCode());
    assertTrue(index.body().contains("view.js"), index.body());
    assertEquals("text/javascript; charset=utf-8",
        get("/view.js").headers().firstValue("content-type").orElse(""));
    assertTrue(get("/view.js").body().contains("window.RaftView"));
    assertEquals(404, get("/nothing.js").statusCode());
    assertEquals(404, get("/../raftkv.proto").statusCode());
  }

  @Test
  @DisplayName("POST /api/<verb> answers what the action says; another site's page is refused")
  void actions() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + port + "/api/kill")).POST(HttpRequest.BodyPublishers.ofString("{\"member\":\"n2\"}"))
        .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals("{\"ok\":true,\"output\":\"kill {'member':'n2'}\"}", r.body());
    HttpResponse<String> foreign = http.send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + port + "/api/kill")).POST(HttpRequest.BodyPublishers.ofString(
        "{}")).header("Origin", "http://evil.example").build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(403, foreign.statusCode());
  }

  @Test
  @DisplayName("/events: the greeting first, then every broadcast as a server-sent event")
  void events() throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(30_000); // a lost event fails the test instead of hanging it
      OutputStream out = s.getOutputStream();
      out.write(("GET /events HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
          StandardCharsets.UTF_8));
      assertTrue(readUntil(in, "data: {\"hello\":1}"), "the greeting");
      awaitBrowsers(1);
      server.broadcast("event: frame\ndata: {\"n\":2}\n\n");
      assertTrue(readUntil(in, "data: {\"n\":2}"), "the broadcast");
    }
  }

  /** Waits (30 s at most: a slow machine) until {@code n} pages are connected to /events. */
  private void awaitBrowsers(int n) throws InterruptedException {
    for (int i = 0; i < 1500 && server.browsers() != n; i++) {
      Thread.sleep(20);
    }
    assertEquals(n, server.browsers(), "pages connected to /events");
  }

  private static boolean readUntil(BufferedReader in, String wanted) throws Exception {
    for (int i = 0; i < 50; i++) {
      String line = in.readLine();
      if (line == null) {
        return false;
      }
      if (line.equals(wanted)) {
        return true;
      }
    }
    return false;
  }

  @Test
  @DisplayName("a page that stops reading is dropped; broadcasting never waits for it")
  void slowBrowserIsDropped() throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setReceiveBufferSize(4096);
      s.getOutputStream().write(("GET /events HTTP/1.1\r\nHost: 127.0.0.1:" + port
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      awaitBrowsers(1);
      String big = "event: frame\ndata: " + "x".repeat(64 * 1024) + "\n\n";
      long start = System.nanoTime();
      for (int i = 0; i < 400 && server.browsers() > 0; i++) { // at most 25 MB
        server.broadcast(big);
        Thread.sleep(5);
      }
      assertEquals(0, server.browsers(), "the page that never reads was dropped");
      assertTrue(System.nanoTime() - start < 30_000_000_000L, "bounded");
    }
  }
}
