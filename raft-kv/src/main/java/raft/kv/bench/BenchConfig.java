package raft.kv.bench;

import java.time.Duration;
import java.util.Locale;

/**
 * One benchmark run's settings, validated: every bad combination fails at construction with a
 * message that names the flag, so the command line can print it as a usage error.
 *
 * <p>Exactly one of {@code total} (measured requests) and {@code duration} (measured time)
 * bounds the run; {@code rate} 0 means closed loop (each client sends its next request when
 * the previous one returns), otherwise requests are scheduled at fixed intervals (open loop).
 */
public record BenchConfig(Workload workload, int clients, int conns, long total,
    Duration duration, Duration warmup, int keySize, int valSize, long keySpace, double rate,
    Target target, boolean serializable) {

  /** The workloads, named as on the command line. */
  public enum Workload {
    PUT("put"), RANGE("range"), TXN_PUT("txn-put"), WATCH_LATENCY("watch-latency");

    public final String cliName;

    Workload(String cliName) {
      this.cliName = cliName;
    }
  }

  /** Which members the connections go to; the leader is found with Maintenance.Status. */
  public enum Target {
    LEADER, FOLLOWERS, ALL;

    static Target parse(String s) {
      try {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "--target must be leader, followers or all, not '" + s + "'");
      }
    }
  }

  public BenchConfig {
    require(clients >= 1, "--clients must be at least 1, not " + clients);
    require(conns >= 1, "--conns must be at least 1, not " + conns);
    require(conns <= clients, "--conns (" + conns + ") must not exceed --clients (" + clients
        + "): a connection without a client would stay idle");
    require(total == 0 || duration == null, "give --total or --duration, not both");
    require(total >= 0, "--total must be positive, not " + total);
    require(duration == null || !duration.isNegative() && !duration.isZero(),
        "--duration must be positive");
    require(!warmup.isNegative(), "--warmup must not be negative");
    require(valSize >= 0, "--val-size must not be negative, not " + valSize);
    require(keySpace >= 1, "--key-space must be at least 1, not " + keySpace);
    require(rate >= 0 && Double.isFinite(rate), "--rate must be 0 (closed loop) or positive");
    require(keySize >= 1 + digits(keySpace - 1), "--key-size " + keySize + " is too small for"
        + " --key-space " + keySpace + ": keys are 'k' and " + digits(keySpace - 1)
        + " digits, so --key-size must be at least " + (1 + digits(keySpace - 1)));
    require(workload != Workload.WATCH_LATENCY || valSize >= Long.BYTES,
        "watch-latency needs --val-size of at least 8 (the value carries the request number)");
    require(!serializable || workload == Workload.RANGE, "--consistency applies to range only");
    if (total == 0 && duration == null) {
      total = 10_000; // etcd's benchmark default
    }
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  static int digits(long n) {
    return Long.toString(Math.max(0, n)).length();
  }

  /** Parses --consistency: l (linearizable, the default) or s (serializable). */
  static boolean parseSerializable(String consistency) {
    return switch (consistency.trim().toLowerCase(Locale.ROOT)) {
      case "l" -> false;
      case "s" -> true;
      default -> throw new IllegalArgumentException(
          "--consistency must be l (linearizable) or s (serializable), not '" + consistency + "'");
    };
  }

  /** The key for index i: 'k' and i zero-padded to keySize bytes, so keys sort by index. */
  String key(long i) {
    String digits = Long.toString(i);
    StringBuilder b = new StringBuilder(keySize).append('k');
    for (int n = digits.length() + 1; n < keySize; n++) {
      b.append('0');
    }
    return b.append(digits).toString();
  }

  /** A copy bounded by a total instead, for preloading keys before a range run. */
  BenchConfig withTotal(long n, int clientCount) {
    int c = (int) Math.min(clientCount, n);
    return new BenchConfig(Workload.PUT, c, Math.min(conns, c), n, null, Duration.ZERO,
        keySize, valSize, keySpace, 0, target, false);
  }
}
