package raft.kv.server;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations written as Go's time.ParseDuration reads them, for flags etcd takes that way
 * ({@code 10m}, {@code 500ms}, {@code 1h30m}, {@code 1.5s}): a sequence of decimal numbers,
 * each with a unit (ns, us (or with a micro sign), ms, s, m, h); "0" alone is zero. No sign:
 * no flag here takes a negative duration.
 */
public final class GoDuration {
  private static final String PART_REGEX = "(\\d+\\.?\\d*|\\.\\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)";
  private static final Pattern WHOLE = Pattern.compile("(?:" + PART_REGEX + ")+");
  private static final Pattern PART = Pattern.compile(PART_REGEX);
  private static final Map<String, Long> NANOS = Map.of("ns", 1L, "us", 1_000L,
      "\u00b5s", 1_000L, "\u03bcs", 1_000L, "ms", 1_000_000L, "s", 1_000_000_000L,
      "m", 60_000_000_000L, "h", 3_600_000_000_000L);

  private GoDuration() {}

  /** The duration {@code text} names; IllegalArgumentException naming {@code flag} if none. */
  public static Duration parse(String flag, String text) {
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    if (!WHOLE.matcher(text).matches()) {
      throw new IllegalArgumentException(flag + " '" + text + "': a duration such as 10m,"
          + " 500ms or 1h30m");
    }
    BigDecimal nanos = BigDecimal.ZERO;
    Matcher m = PART.matcher(text);
    while (m.find()) {
      nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(
          NANOS.get(m.group(2)))));
    }
    try {
      // Go drops a fraction of a nanosecond ("1.5ns" is 1ns) and refuses what overflows int64.
      return Duration.ofNanos(nanos.setScale(0, RoundingMode.DOWN).longValueExact());
    } catch (ArithmeticException overflow) {
      throw new IllegalArgumentException(flag + " '" + text + "': invalid duration (over"
          + " about 292 years)");
    }
  }
}
