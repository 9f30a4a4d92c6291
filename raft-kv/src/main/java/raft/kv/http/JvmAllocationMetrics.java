package raft.kv.http;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Two JVM-wide counters for measuring CPU-side costs per request without a profiler (issue 18):
 * {@code raftkv_jvm_allocated_bytes_total}, every heap byte allocated since the JVM started by
 * any thread, ended ones included (HotSpot's ThreadMXBean#getTotalThreadAllocatedBytes, Java
 * 14+); and {@code raftkv_jvm_gc_pause_seconds_total}, the time the collectors report, without
 * the beans that count concurrent work (G1's "G1 Concurrent GC" since Java 20, ZGC's and
 * Shenandoah's "Cycles"), which runs beside the application rather than stopping it.
 * scripts/bench-levers reads both before and after a workload: the allocated bytes' delta
 * divided by the operations is bytes per request, a figure that does not depend on how busy
 * the machine is. Read at scrape time; a scrape walks the thread list once (a few
 * microseconds for a member's ~60 threads).
 */
final class JvmAllocationMetrics {
  static final String ALLOCATED = "raftkv_jvm_allocated_bytes_total";
  static final String GC_PAUSE = "raftkv_jvm_gc_pause_seconds_total";

  private JvmAllocationMetrics() {}

  static void register(PrometheusRegistry r) {
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
        && t.isThreadAllocatedMemorySupported()) {
      CounterWithCallback.builder().name(ALLOCATED)
          .help("Heap bytes allocated by all threads (ended ones too) since the JVM started.")
          .callback(cb -> {
            long b = t.getTotalThreadAllocatedBytes();
            if (b >= 0) { // -1 when allocation accounting is switched off
              cb.call(b);
            }
          }).register(r);
    }
    List<GarbageCollectorMXBean> pausing = ManagementFactory.getGarbageCollectorMXBeans()
        .stream().filter(JvmAllocationMetrics::countsPauses).toList();
    CounterWithCallback.builder().name(GC_PAUSE)
        .help("Time the garbage collectors report spent in collections that stop the"
            + " application (concurrent cycles excluded), since the JVM started.")
        .callback(cb -> cb.call(pauseMillis(pausing) / 1000.0)).register(r);
  }

  /** Beans named for concurrent work count time the application kept running. */
  static boolean countsPauses(GarbageCollectorMXBean b) {
    String n = b.getName();
    return !n.contains("Concurrent") && !n.contains("Cycles");
  }

  private static long pauseMillis(List<GarbageCollectorMXBean> beans) {
    long ms = 0;
    for (GarbageCollectorMXBean b : beans) {
      ms += Math.max(0, b.getCollectionTime()); // -1 when a collector does not say
    }
    return ms;
  }
}
