package raft.kv.bench;

import com.google.protobuf.ByteString;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.Arrays;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.apply.KvStateMachine;
import raft.kv.pb.InternalRequest;

/**
 * The store's heap bytes per revision, measured in-process: fills a state machine with puts the
 * way a member applies them (each a serialized InternalRequest, parsed with aliasing), forces
 * full collections until the used heap settles, and prints used heap per revision and the top
 * classes of a class histogram. No raft log, no gRPC: the store's own layout only. Run as
 * {@code java -cp raftkv.jar raft.kv.bench.StoreMemory [--puts N] [--keys K]
 * [--value-bytes B] [--key-bytes K] [--top T]} (defaults: the bench's 100,000 puts of 256-byte
 * values over 10,000 keys of 8 bytes).
 */
public final class StoreMemory {
  private StoreMemory() {}

  public static void main(String[] args) throws Exception {
    int puts = intArg(args, "--puts", 100_000);
    int keys = intArg(args, "--keys", 10_000);
    int valueBytes = intArg(args, "--value-bytes", 256);
    int keyBytes = intArg(args, "--key-bytes", 8);
    int top = intArg(args, "--top", 15);
    BenchConfig keyNames = new BenchConfig(BenchConfig.Workload.PUT, 1, 1, puts, null,
        Duration.ZERO, keyBytes, valueBytes, keys, 0, BenchConfig.Target.LEADER, false);
    long before = settledUsedHeap();
    KvStateMachine sm = new KvStateMachine();
    ByteString value = ByteString.copyFrom(new byte[valueBytes]);
    for (int i = 1; i <= puts; i++) {
      PutRequest put = PutRequest.newBuilder()
          .setKey(ByteString.copyFromUtf8(keyNames.key(i % keys))).setValue(value).build();
      sm.apply(i, 1, InternalRequest.newBuilder().setId(i).setPut(put).build().toByteString());
    }
    long after = settledUsedHeap();
    System.out.printf("java %s, %s%n", Runtime.version(), flags());
    System.out.printf("%d puts of %d-byte values over %d keys of %d bytes: revision %d%n",
        puts, valueBytes, keys, keyBytes, sm.store().currentRevision());
    System.out.printf("used heap: %,d bytes more, %.1f bytes per revision"
            + " (the store's own estimate, Sizes: %.1f)%n", after - before,
        (after - before) / (double) puts, sm.store().sizeBytes() / (double) puts);
    System.out.println(histogramTop(top));
    Reference.reachabilityFence(sm);
  }

  /** Used heap after full collections, repeated until two readings agree within 0.1%. */
  static long settledUsedHeap() {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    long last = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      long used = mem.getHeapMemoryUsage().getUsed();
      if (Math.abs(used - last) <= used / 1000) {
        return used;
      }
      last = used;
    }
    return last;
  }

  /** The histogram's header and first {@code top} classes (GC.class_histogram, in-process). */
  static String histogramTop(int top) throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    String out = (String) server.invoke(
        new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
        new Object[] {new String[0]}, new String[] {String[].class.getName()});
    String[] lines = out.split("\n");
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < Math.min(lines.length, top + 2); i++) {
      b.append(lines[i]).append('\n');
    }
    return b.append(lines[lines.length - 1]).toString();
  }

  private static String flags() {
    return String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments());
  }

  private static int intArg(String[] args, String name, int dflt) {
    int i = Arrays.asList(args).indexOf(name);
    return i >= 0 && i + 1 < args.length ? Integer.parseInt(args[i + 1]) : dflt;
  }
}
