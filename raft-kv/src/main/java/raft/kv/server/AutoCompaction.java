package raft.kv.server;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much history the leader keeps: etcd's {@code --auto-compaction-mode} and {@code
 * --auto-compaction-retention}. In {@code revision} mode, the last {@code revisions} revisions;
 * in {@code periodic} mode, what was written in the last {@code period}. Nothing to compact
 * (all history kept) when the retention is zero.
 */
public record AutoCompaction(Mode mode, long revisions, Duration period) {
  public enum Mode { REVISION, PERIODIC }

  private static final Pattern DURATION = Pattern.compile("(\\d+)(h|m|s)");

  public static AutoCompaction revisions(long n) {
    return new AutoCompaction(Mode.REVISION, n, Duration.ZERO);
  }

  public static AutoCompaction periodic(Duration d) {
    return new AutoCompaction(Mode.PERIODIC, 0, d);
  }

  /**
   * etcd's rules: in revision mode a number of revisions; in periodic mode a duration such as
   * 1h, 30m or 5s, or a bare number of hours. A missing retention is {@code defaultRevisions}
   * in revision mode and an error in periodic mode.
   */
  public static AutoCompaction parse(String mode, String retention, long defaultRevisions) {
    switch (mode) {
      case "revision" -> {
        if (retention == null) {
          return revisions(defaultRevisions);
        }
        if (!retention.matches("\\d+")) {
          throw new IllegalArgumentException("--auto-compaction-retention '" + retention
              + "': revision mode takes a number of revisions, 0 or more");
        }
        return revisions(Long.parseLong(retention));
      }
      case "periodic" -> {
        if (retention == null) {
          throw new IllegalArgumentException("--auto-compaction-mode periodic needs"
              + " --auto-compaction-retention, a duration such as 1h, 30m or 5s");
        }
        if (retention.matches("\\d+")) {
          return periodic(Duration.ofHours(Long.parseLong(retention)));
        }
        Matcher m = DURATION.matcher(retention);
        if (!m.matches()) {
          throw new IllegalArgumentException("--auto-compaction-retention '" + retention
              + "': periodic mode takes a duration such as 1h, 30m or 5s, or hours");
        }
        long n = Long.parseLong(m.group(1));
        return periodic(switch (m.group(2)) {
          case "h" -> Duration.ofHours(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofSeconds(n);
        });
      }
      default -> throw new IllegalArgumentException("--auto-compaction-mode '" + mode
          + "': 'revision' or 'periodic'");
    }
  }

  public boolean off() {
    return mode == Mode.REVISION ? revisions <= 0 : period.isZero();
  }

  /** What is kept, for log lines: "100000 revisions" or "the last 1h". */
  public String retained() {
    return mode == Mode.REVISION ? revisions + " revisions"
        : "the last " + period.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
  }
}
