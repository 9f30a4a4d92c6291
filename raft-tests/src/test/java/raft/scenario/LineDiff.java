package raft.scenario;

import java.util.List;

/**
 * A minimal line diff (longest common subsequence), enough to show how one command's output
 * changed: unchanged lines start with two spaces, removed ones with "- ", added ones with "+ ".
 * Outputs are short, so the quadratic table is fine.
 */
final class LineDiff {
  private LineDiff() {}

  static String diff(List<String> a, List<String> b) {
    int[][] lcs = new int[a.size() + 1][b.size() + 1];
    for (int i = a.size() - 1; i >= 0; i--) {
      for (int j = b.size() - 1; j >= 0; j--) {
        lcs[i][j] = a.get(i).equals(b.get(j))
            ? lcs[i + 1][j + 1] + 1
            : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    StringBuilder sb = new StringBuilder();
    int i = 0;
    int j = 0;
    while (i < a.size() || j < b.size()) {
      if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
        sb.append("  ").append(a.get(i++)).append('\n');
        j++;
      } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
        sb.append("+ ").append(b.get(j++)).append('\n');
      } else {
        sb.append("- ").append(a.get(i++)).append('\n');
      }
    }
    return sb.toString();
  }
}
