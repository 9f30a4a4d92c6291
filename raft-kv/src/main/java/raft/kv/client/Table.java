package raft.kv.client;

import java.util.List;

/**
 * The bordered tables of etcdctl's {@code -w table} (olekukonko/tablewriter's look): headers
 * centred, numbers and booleans right-aligned, other text left-aligned. Also used by
 * {@code cluster status}.
 */
public final class Table {
  private Table() {}

  public static String render(List<String> header, List<List<String>> rows) {
    int[] width = new int[header.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = header.get(i).length();
      for (List<String> row : rows) {
        width[i] = Math.max(width[i], row.get(i).length());
      }
    }
    StringBuilder b = new StringBuilder();
    String rule = rule(width);
    b.append(rule);
    line(b, width, header, true);
    b.append(rule);
    for (List<String> row : rows) {
      line(b, width, row, false);
    }
    if (!rows.isEmpty()) {
      b.append(rule);
    }
    return b.toString();
  }

  private static String rule(int[] width) {
    StringBuilder b = new StringBuilder("+");
    for (int w : width) {
      b.append("-".repeat(w + 2)).append('+');
    }
    return b.append('\n').toString();
  }

  private static void line(StringBuilder b, int[] width, List<String> cells, boolean header) {
    b.append('|');
    for (int i = 0; i < width.length; i++) {
      String c = cells.get(i);
      int pad = width[i] - c.length();
      if (header) {
        c = " ".repeat(pad / 2) + c + " ".repeat(pad - pad / 2);
      } else if (rightAligned(c)) {
        c = " ".repeat(pad) + c;
      } else {
        c = c + " ".repeat(pad);
      }
      b.append(' ').append(c).append(" |");
    }
    b.append('\n');
  }

  private static boolean rightAligned(String c) {
    return c.matches("-?[0-9]+(\\.[0-9]+)?") || c.equals("true") || c.equals("false");
  }
}
