package raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The space quota with real etcdctl 3.4 on a real member started with a 64 KiB quota: fill it
 * until etcdctl reports etcd's "database space exceeded", see the NOSPACE alarm where etcd
 * shows it, then follow etcd's own recovery steps (del, compact, defrag, alarm disarm) and
 * write again.
 */
class EtcdctlQuotaTest {

  @Test
  @DisplayName("a full store says NOSPACE as etcd does, and etcd's recovery steps work")
  void fullStoreAndEtcdsRecoverySteps() throws Exception {
    Preconditions.requireEtcdctl();
    try (LocalCluster cluster = new LocalCluster(1, 350, "quota")
        .withServerFlags("--quota-backend-bytes 65536").start()) {
      String value = "v".repeat(1024);
      int acknowledged = 0;
      LocalCluster.Result refused = null;
      for (int i = 0; i < 200 && refused == null; i++) {
        LocalCluster.Result r = cluster.etcdctl(null, "put", "k-" + i, value);
        if (r.exit() == 0) {
          acknowledged++;
        } else {
          refused = r;
        }
      }
      assertTrue(refused != null, "200 puts of 1 KiB never filled a 64 KiB quota");
      assertTrue(refused.out().contains("Error: etcdserver: mvcc: database space exceeded"),
          refused::toString);
      assertTrue(acknowledged > 20, "refused after " + acknowledged);

      assertEquals("memberID:1 alarm:NOSPACE \n", ok(cluster, "alarm", "list"));
      String status = ok(cluster, "endpoint", "status", "-w", "json");
      assertTrue(status.contains("\"errors\":[\"memberID:1 alarm:NOSPACE \"]"), status);
      assertEquals(acknowledged + "\n",
          ok(cluster, "del", "k-", "--prefix"), "every acknowledged put was there to delete");

      Matcher m = Pattern.compile("\"revision\":(\\d+)")
          .matcher(ok(cluster, "endpoint", "status", "-w", "json"));
      assertTrue(m.find());
      assertEquals("compacted revision " + m.group(1) + "\n", ok(cluster, "compact", m.group(1)));
      assertTrue(ok(cluster, "defrag").startsWith("Finished defragmenting etcd member"));
      LocalCluster.Result stillRefused = cluster.etcdctl(null, "put", "x", "y");
      assertTrue(stillRefused.out().contains("database space exceeded"),
          "refused until disarmed: " + stillRefused);
      assertEquals("memberID:1 alarm:NOSPACE \n", ok(cluster, "alarm", "disarm"));
      assertEquals("", ok(cluster, "alarm", "list"));
      assertEquals("OK\n", ok(cluster, "put", "x", value));
    }
  }

  private static String ok(LocalCluster cluster, String... args) throws Exception {
    LocalCluster.Result r = cluster.etcdctl(null, args);
    assertEquals(0, r.exit(), () -> "etcdctl " + Arrays.toString(args) + " -> " + r);
    return r.out();
  }
}
