package raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.kv.api.etcdserverpb.CompactionRequest;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RangeRequest;

/**
 * Bad input gets etcd's error, word for word, and the member keeps serving: an empty key, an
 * oversized request, an unknown lease, a compacted revision, and garbage bytes on the client
 * and peer ports.
 */
class BadInputTest {
  private static LocalCluster cluster;
  private static KVGrpc.KVBlockingStub kv;

  @BeforeAll
  static void start() throws Exception {
    Preconditions.requireEtcdctl();
    cluster = new LocalCluster(1, 300, "bad-input").start();
    kv = KVGrpc.newBlockingStub(cluster.channel(1));
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static KVGrpc.KVBlockingStub kv() {
    return kv.withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static void assertError(Status.Code code, String message, Runnable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
    assertEquals(code, e.getStatus().getCode(), e::toString);
    assertEquals(message, e.getStatus().getDescription());
  }

  private static void put(String key, String value) {
    kv().put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
        .setValue(ByteString.copyFromUtf8(value)).build());
  }

  private static String get(String key) {
    return kv().range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).build())
        .getKvs(0).getValue().toStringUtf8();
  }

  @Test
  @DisplayName("an empty key: etcdserver: key is not provided")
  void emptyKey() {
    assertError(Status.Code.INVALID_ARGUMENT, "etcdserver: key is not provided",
        () -> kv().put(PutRequest.newBuilder().setValue(ByteString.copyFromUtf8("v")).build()));
  }

  @Test
  @DisplayName("a value over --max-request-bytes: etcdserver: request is too large")
  void oversizedRequest() {
    ByteString big = ByteString.copyFrom(new byte[1536 * 1024 + 1]);
    assertError(Status.Code.INVALID_ARGUMENT, "etcdserver: request is too large",
        () -> kv().put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("big"))
            .setValue(big).build()));
  }

  @Test
  @DisplayName("a put with an unknown lease: etcdserver: requested lease not found")
  void unknownLease() {
    assertError(Status.Code.NOT_FOUND, "etcdserver: requested lease not found",
        () -> kv().put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("k"))
            .setValue(ByteString.copyFromUtf8("v")).setLease(0x1234).build()));
  }

  @Test
  @DisplayName("a read at a compacted revision: etcdserver: mvcc: required revision has been compacted")
  void compactedRevision() {
    put("c", "1");
    put("c", "2");
    long rev = kv().range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("c")).build())
        .getHeader().getRevision();
    kv().compact(CompactionRequest.newBuilder().setRevision(rev).build());
    assertError(Status.Code.OUT_OF_RANGE,
        "etcdserver: mvcc: required revision has been compacted",
        () -> kv().range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("c"))
            .setRevision(rev - 1).build()));
  }

  @Test
  @DisplayName("garbage bytes on the client and peer ports close that connection only")
  void garbageOnPorts() throws Exception {
    int client = 2379 + 300;
    int peer = 12380 + 300;
    for (int port : new int[] {client, peer}) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        OutputStream o = s.getOutputStream();
        o.write("GET / HTTP/1.0\r\n\r\nthis is not a frame\u0000\u00ff\u00ff\u00ff\u00ff"
            .getBytes(StandardCharsets.ISO_8859_1));
        o.write(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3});
        o.flush();
        s.setSoTimeout(5000);
        // The member closes the connection (read returns -1) rather than hanging or crashing.
        // The client port answers HTTP/1.1 now: it closes with our garbage unread, which the
        // kernel turns into a reset; a reset is a close too.
        try {
          while (s.getInputStream().read() != -1) {
            // drain whatever error reply the protocol sends before closing
          }
        } catch (java.net.SocketException reset) {
          assertEquals("Connection reset", reset.getMessage());
        }
      }
    }
    put("still", "serving");
    assertEquals("serving", get("still"));
  }
}
