package raft.scenario;

import java.util.ArrayList;
import java.util.List;

/**
 * The datadriven file format (etcd's {@code testdata/*.txt}): blocks of
 * <pre>
 * # comments and blank lines (kept verbatim on rewrite)
 * command args
 * ----
 * expected output, one or more lines, never blank
 * (a blank line or the end of the file ends the block)
 * </pre>
 * Parsing and rendering are inverses, so a rewrite changes only the outputs.
 */
final class ScenarioFile {
  static final String SEPARATOR = "----";
  static final String BUG_MARK = "# BUG:";

  /** One command: the comment lines before it, its line number (1-based), its output. */
  record Block(List<String> preamble, int line, String command, List<String> expected) {}

  final List<Block> blocks;
  final List<String> trailer; // comments after the last block

  private ScenarioFile(List<Block> blocks, List<String> trailer) {
    this.blocks = blocks;
    this.trailer = trailer;
  }

  static ScenarioFile parse(String text) {
    String[] lines = text.split("\n", -1);
    List<Block> blocks = new ArrayList<>();
    List<String> preamble = new ArrayList<>();
    int i = 0;
    while (i < lines.length) {
      String l = lines[i];
      if (l.isBlank() || l.startsWith("#")) {
        preamble.add(l);
        i++;
        continue;
      }
      if (i + 1 >= lines.length || !lines[i + 1].equals(SEPARATOR)) {
        throw new ScenarioException("line " + (i + 1) + ": expected '" + SEPARATOR
            + "' after command '" + l + "'");
      }
      int cmdLine = i + 1;
      i += 2;
      List<String> expected = new ArrayList<>();
      while (i < lines.length && !lines[i].isBlank()) {
        expected.add(lines[i++]);
      }
      i++; // the blank line that ends the block
      blocks.add(new Block(List.copyOf(preamble), cmdLine, l.strip(), expected));
      preamble.clear();
    }
    while (!preamble.isEmpty() && preamble.get(preamble.size() - 1).isBlank()) {
      preamble.remove(preamble.size() - 1);
    }
    return new ScenarioFile(blocks, preamble);
  }

  /** The file with each block's output replaced by {@code outputs} (one string per block). */
  String render(List<String> outputs) {
    StringBuilder sb = new StringBuilder();
    for (int b = 0; b < blocks.size(); b++) {
      Block blk = blocks.get(b);
      blk.preamble().forEach(l -> sb.append(l).append('\n'));
      sb.append(blk.command()).append('\n').append(SEPARATOR).append('\n');
      sb.append(outputs.get(b)).append('\n');
      if (b < blocks.size() - 1 || !trailer.isEmpty()) {
        sb.append('\n');
      }
    }
    trailer.forEach(l -> sb.append(l).append('\n'));
    return sb.toString();
  }

  /** The expected outputs, as {@link #render} takes them. */
  List<String> expectedOutputs() {
    List<String> l = new ArrayList<>();
    blocks.forEach(b -> l.add(String.join("\n", b.expected())));
    return l;
  }

  /** The explanation after "# BUG:" on the first line, or null if the script is not marked. */
  String bug() {
    if (blocks.isEmpty() ? trailer.isEmpty() : blocks.get(0).preamble().isEmpty()) {
      return null;
    }
    String first = blocks.isEmpty() ? trailer.get(0) : blocks.get(0).preamble().get(0);
    return first.startsWith(BUG_MARK) ? first.substring(BUG_MARK.length()).strip() : null;
  }
}
