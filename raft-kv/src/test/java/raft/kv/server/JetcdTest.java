package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jetcd, etcd's own Java client, against three real members in this JVM. */
class JetcdTest {
  @TempDir static Path dir;
  private static InProcessCluster cluster;
  private static Client client;

  @BeforeAll
  static void start() throws Exception {
    cluster = new InProcessCluster(3, 3, dir);
    cluster.awaitLeader();
    String[] eps = cluster.endpoints().split(",");
    for (int i = 0; i < eps.length; i++) {
      eps[i] = "http://" + eps[i];
    }
    client = Client.builder().endpoints(eps).build();
  }

  @AfterAll
  static void stop() {
    client.close();
    cluster.close();
  }

  private static ByteSequence b(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  @Test
  void putGetDelete() throws Exception {
    KV kv = client.getKVClient();
    kv.put(b("j/k"), b("v1")).get(10, TimeUnit.SECONDS);
    var got = kv.get(b("j/k")).get(10, TimeUnit.SECONDS);
    assertEquals("v1", got.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8));
    assertEquals(1, got.getKvs().get(0).getVersion());
    assertEquals(1, kv.delete(b("j/k")).get(10, TimeUnit.SECONDS).getDeleted());
  }

  @Test
  void txnWithCompare() throws Exception {
    KV kv = client.getKVClient();
    kv.put(b("j/tx"), b("1")).get(10, TimeUnit.SECONDS);
    TxnResponse r = kv.txn()
        .If(new Cmp(b("j/tx"), Cmp.Op.EQUAL, CmpTarget.value(b("1"))))
        .Then(Op.put(b("j/tx"), b("2"), PutOption.DEFAULT))
        .Else(Op.put(b("j/tx"), b("else"), PutOption.DEFAULT))
        .commit().get(10, TimeUnit.SECONDS);
    assertTrue(r.isSucceeded());
    TxnResponse again = kv.txn()
        .If(new Cmp(b("j/tx"), Cmp.Op.EQUAL, CmpTarget.value(b("1"))))
        .Then(Op.put(b("j/tx"), b("3"), PutOption.DEFAULT))
        .commit().get(10, TimeUnit.SECONDS);
    assertFalse(again.isSucceeded());
  }

  @Test
  void watchFromAPastRevision() throws Exception {
    KV kv = client.getKVClient();
    long first = kv.put(b("j/w"), b("a")).get(10, TimeUnit.SECONDS).getHeader().getRevision();
    kv.put(b("j/w"), b("b")).get(10, TimeUnit.SECONDS);
    kv.delete(b("j/w")).get(10, TimeUnit.SECONDS);
    List<String> seen = new CopyOnWriteArrayList<>();
    CountDownLatch three = new CountDownLatch(3);
    try (var w = client.getWatchClient().watch(b("j/w"),
        WatchOption.builder().withRevision(first).build(), response -> {
          for (WatchEvent e : response.getEvents()) {
            seen.add(e.getEventType() + ":" + e.getKeyValue().getValue()
                .toString(StandardCharsets.UTF_8));
            three.countDown();
          }
        })) {
      assertTrue(three.await(10, TimeUnit.SECONDS), seen.toString());
    }
    assertEquals(List.of("PUT:a", "PUT:b", "DELETE:"), seen);
  }

  @Test
  void leaseGrantKeepAliveAndRevoke() throws Exception {
    var lease = client.getLeaseClient();
    long id = lease.grant(30).get(10, TimeUnit.SECONDS).getID();
    client.getKVClient().put(b("j/leased"), b("v"),
        PutOption.builder().withLeaseId(id).build()).get(10, TimeUnit.SECONDS);
    assertEquals(30, lease.keepAliveOnce(id).get(10, TimeUnit.SECONDS).getTTL());
    var ttl = lease.timeToLive(id, io.etcd.jetcd.options.LeaseOption.builder().withAttachedKeys()
        .build()).get(10, TimeUnit.SECONDS);
    assertEquals(List.of(b("j/leased")), ttl.getKeys());
    lease.revoke(id).get(10, TimeUnit.SECONDS);
    assertEquals(0, client.getKVClient().get(b("j/leased")).get(10, TimeUnit.SECONDS).getCount());
  }

  @Test
  void memberListAndStatus() throws Exception {
    assertEquals(3, client.getClusterClient().listMember().get(10, TimeUnit.SECONDS)
        .getMembers().size());
    String first = "http://" + cluster.endpoints().split(",")[0];
    var status = client.getMaintenanceClient().statusMember(first).get(10, TimeUnit.SECONDS);
    assertTrue(status.getLeader() >= 1 && status.getLeader() <= 3, status.toString());
  }
}
