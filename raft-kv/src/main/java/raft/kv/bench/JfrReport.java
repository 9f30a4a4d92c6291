package raft.kv.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Reads the members' JFR recordings of one load window (scripts/bench-loop) and prints, per
 * member: how long each Raft thread spent in disk writes and fsyncs per second of the window
 * (jdk.FileWrite and jdk.FileForce, recorded with no threshold), and the intervals between
 * the heartbeats a leader sent to each follower (raft.HeartbeatSent): p50, p99, max.
 *
 * <p>Usage: {@code java -cp raftkv.jar raft.kv.bench.JfrReport LABEL member.jfr...}
 */
public final class JfrReport {
  private JfrReport() {}

  public static void main(String[] args) throws IOException {
    String label = args[0];
    List<Double> intervals = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      report(label, Path.of(args[i]), intervals);
    }
    if (!intervals.isEmpty()) {
      Collections.sort(intervals);
      System.out.printf("%s heartbeat intervals (all leaders): n=%d p50=%.1f ms p99=%.1f ms"
          + " max=%.1f ms%n", label, intervals.size(), pct(intervals, 0.50),
          pct(intervals, 0.99), intervals.get(intervals.size() - 1));
    }
  }

  private static void report(String label, Path file, List<Double> intervals)
      throws IOException {
    Map<String, Double> diskMillis = new TreeMap<>();
    Map<Long, List<Instant>> beats = new TreeMap<>();
    Instant first = null;
    Instant last = null;
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      first = first == null || e.getStartTime().isBefore(first) ? e.getStartTime() : first;
      last = last == null || e.getEndTime().isAfter(last) ? e.getEndTime() : last;
      String type = e.getEventType().getName();
      if (type.equals("jdk.FileForce") || type.equals("jdk.FileWrite")) {
        RecordedThread t = e.getThread();
        String thread = t == null ? "?" : raftThread(t.getJavaName());
        diskMillis.merge(thread + (type.equals("jdk.FileForce") ? " fsync" : " write"),
            e.getDuration().toNanos() / 1e6, Double::sum);
      } else if (type.equals("raft.HeartbeatSent")) {
        beats.computeIfAbsent(e.getLong("to"), k -> new ArrayList<>()).add(e.getStartTime());
      }
    }
    if (first == null) {
      System.out.println(label + " " + file.getFileName() + ": empty recording");
      return;
    }
    double seconds = Duration.between(first, last).toNanos() / 1e9;
    StringBuilder line = new StringBuilder(label + " " + file.getFileName()
        + String.format(" (%.1f s):", seconds));
    diskMillis.forEach((k, v) -> line.append(String.format(" %s %.1f ms/s;", k, v / seconds)));
    System.out.println(line);
    for (List<Instant> times : beats.values()) {
      Collections.sort(times);
      for (int i = 1; i < times.size(); i++) {
        intervals.add(Duration.between(times.get(i - 1), times.get(i)).toNanos() / 1e6);
      }
    }
  }

  /** raft-loop-1 → raft-loop; other threads keep their name. */
  private static String raftThread(String name) {
    return name == null ? "?" : name.replaceFirst("^(raft-[a-z]+)-\\d+$", "$1");
  }

  private static double pct(List<Double> sorted, double q) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
  }
}
