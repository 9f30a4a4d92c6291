package raft.kv.cluster;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Follows the members' log files (as {@code scripts/cluster logs} reads them) for the
 * timeline: only their narration, the lines a member writes in plain words ("12:03:04.250 n1:
 * leader is now n3 in term 2"), not library output or stack traces. Each call reads what was
 * appended since the last; a log that shrank (a clean) is read again from its start. Poller
 * thread only.
 */
final class ViewNarration {
  /** The most lines one member adds to one frame; the rest are counted, not shown. */
  static final int MAX_LINES = 12;
  private static final int MAX_READ = 256 * 1024;
  private static final int BACKLOG_BYTES = 2048;
  private static final Pattern LINE = Pattern.compile(
      "^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) (n[1-9]): (\\S.*)$");

  /** One narration line: its own clock, the member, and what it said. */
  record Line(String clock, String member, String text, String kind) {}

  private final Map<Path, Long> positions = new HashMap<>();

  /**
   * The narration appended to {@code log} since the last call (the first call starts at its
   * last few lines, so a page opened on a running cluster has some context).
   */
  List<Line> read(Path log) {
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      long len = f.length();
      Long at = positions.get(log);
      long from = at == null ? Math.max(0, len - BACKLOG_BYTES) : at <= len ? at : 0;
      int n = (int) Math.min(MAX_READ, len - from);
      byte[] buf = new byte[n];
      f.seek(from);
      f.readFully(buf);
      int end = lastNewline(buf);
      // A line longer than a whole read is skipped rather than read again for ever.
      positions.put(log, from + (end < 0 && n == MAX_READ ? n : end + 1));
      String text = new String(buf, 0, end + 1, StandardCharsets.UTF_8);
      return lines(text, at == null && from > 0);
    } catch (IOException e) {
      return List.of(); // no log yet (a member not started): nothing to say
    }
  }

  private static int lastNewline(byte[] buf) {
    for (int i = buf.length - 1; i >= 0; i--) {
      if (buf[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static List<Line> lines(String text, boolean skipFirst) {
    List<Line> out = new ArrayList<>();
    String[] raw = text.split("\n");
    for (int i = skipFirst ? 1 : 0; i < raw.length; i++) {
      Matcher m = LINE.matcher(raw[i]);
      if (m.matches()) {
        out.add(new Line(m.group(1), m.group(2), m.group(3), kind(m.group(3))));
      }
    }
    return out;
  }

  /** Narration about snapshots and alarms gets their colour on the timeline. */
  static String kind(String text) {
    String t = text.toLowerCase(Locale.ROOT);
    if (t.contains("snapshot")) {
      return "snapshot";
    }
    return t.contains("alarm") || t.contains("nospace") ? "alarm" : "narration";
  }
}
