package raft.storage.wal;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code <seq>-<firstIndex>.wal}, both 16 zero-padded decimal digits, so that {@code ls} sorts
 * segments in write order and shows at a glance where each one's entries start.
 */
record SegmentName(long seq, long firstIndex) implements Comparable<SegmentName> {

  private static final Pattern NAME = Pattern.compile("(\\d{16})-(\\d{16})\\.wal");

  static Optional<SegmentName> parse(String file) {
    Matcher m = NAME.matcher(file);
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(new SegmentName(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
  }

  /** Called on every WAL write, so it avoids String.format (which parses its pattern). */
  String file() {
    return pad16(seq) + "-" + pad16(firstIndex) + ".wal";
  }

  private static String pad16(long n) {
    String digits = Long.toString(n);
    return "0".repeat(Math.max(0, 16 - digits.length())) + digits;
  }

  @Override
  public int compareTo(SegmentName o) {
    return Long.compare(seq, o.seq);
  }

  @Override
  public String toString() {
    return file();
  }
}
